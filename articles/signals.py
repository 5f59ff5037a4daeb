"""Invalidate the page cache whenever anything a public page shows is saved or deleted."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.cache import pages_invalidate
from articles.models import Article, Person, Topic

_DISPATCH_PREFIX = "articles.pages_invalidate"


def on_content_changed(sender, **kwargs) -> None:  # noqa: ARG001 (Django sends sender= by keyword)
    """Invalidate now, and again once the transaction commits.

    Now, so this process stops serving the old page at once. After the
    commit, because a request that rendered between the first invalidation
    and the commit saw the old rows and may have stored them under the new
    version.
    """
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    pages_invalidate()
    transaction.on_commit(pages_invalidate)


def connect() -> None:
    """Wire the handlers; called once from `ArticlesConfig.ready`."""
    for model in (Article, Person, Topic):
        post_save.connect(on_content_changed, sender=model, dispatch_uid=f"{_DISPATCH_PREFIX}.save.{model.__name__}")
        post_delete.connect(
            on_content_changed, sender=model, dispatch_uid=f"{_DISPATCH_PREFIX}.delete.{model.__name__}"
        )
    m2m_changed.connect(on_content_changed, sender=Article.topics.through, dispatch_uid=f"{_DISPATCH_PREFIX}.topics")
