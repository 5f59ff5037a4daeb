"""One clock in the admin: every moment the staff see is on the clinic's clock, with its abbreviation.

Django's admin would show a datetime field in the current time zone without
saying which; these columns and fields show it through `requests_app.formatting`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin

from requests_app.formatting import short_moment

EMPTY = "-"


def clock_field(field: str, description: str, *, ordering: bool = True) -> Callable:
    """A read-only field or list column showing the model's `field` as "Tue 1 Dec, 10:12 am EST"."""

    def show(_model_admin, obj) -> str:
        value = getattr(obj, field)
        return short_moment(value) if value else EMPTY

    return admin.display(description=description, ordering=field if ordering else None)(show)
