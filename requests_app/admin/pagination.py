"""A paginator that never counts a whole large table."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows (a LIMITed subquery), so the queue page costs the same at any size.

    Past the cap the page counts 1,000 results (20 pages) and the rest are
    reached by filtering or searching, which is how the desk works anyway.
    """

    @cached_property
    def count(self) -> int:
        objects = self.object_list
        if not isinstance(objects, QuerySet):
            return len(objects)  # a list: already in memory, nothing to cap
        return objects.order_by()[: COUNT_CAP + 1].count()
