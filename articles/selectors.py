"""Reads for the article pages. Each returns exactly what a page shows, in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from django.core.validators import slug_re
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from articles.models import Article, Topic

_TOPICS_BY_NAME = Prefetch("topics", queryset=Topic.objects.order_by("name"))
# What an article's slug can be (SlugField's validator and length). Anything else names no article and is
# never sent to the database: a NUL in a lookup is a DataError on PostgreSQL.
_SLUG_MAX_LENGTH = Article._meta.get_field("slug").max_length
# Lists show titles and summaries; the bodies are the bulk of every row.
_BODIES = ("body_markdown", "body_html")


def article_list_live(*, topic: Topic | None = None) -> QuerySet[Article]:
    """Live articles, newest first, with their reviewers (one query once evaluated)."""
    articles = Article.objects.live().select_related("reviewer").defer(*_BODIES)
    if topic is not None:
        articles = articles.filter(topics=topic)
    return articles.order_by("-published_at", "pk")


def article_latest_live(*, limit: int = 3) -> list[Article]:
    """The `limit` newest live articles, with their reviewers (one query)."""
    return list(
        Article.objects.live().select_related("reviewer").defer(*_BODIES).order_by("-published_at", "pk")[:limit]
    )


def article_get(*, slug: str, include_unpublished: bool = False) -> Article | None:
    """The article at `slug` with its people and topics, or None.

    Drafts and scheduled articles count only when `include_unpublished` is
    true (staff previews); the public sees live articles alone.
    """
    articles = Article.objects.all() if include_unpublished else Article.objects.live()
    return (
        articles.select_related("author", "reviewer")
        .prefetch_related(_TOPICS_BY_NAME)
        .defer("body_markdown")
        .filter(slug=slug)
        .first()
    )


def article_source_get(*, slug: str) -> Article | None:
    """The live article a request names as its source, by slug (id, title and slug only); None if there is none.

    A draft's or a scheduled article's slug (from a URL anyone can edit) names no source, and
    neither does text that cannot be a slug (no query is made for it).
    """
    if not slug or len(slug) > (_SLUG_MAX_LENGTH or 0) or not slug_re.match(slug):
        return None
    return Article.objects.live().filter(slug=slug).only("pk", "title", "slug").first()


def article_related(*, article: Article, limit: int = 3) -> list[Article]:
    """Up to `limit` other live articles sharing a topic with `article`, most shared topics first (one query).

    Uses the article's prefetched topics, so it adds no query for them.
    """
    topic_ids = [topic.pk for topic in article.topics.all()]
    if not topic_ids:
        return []
    return list(
        Article.objects.live()
        .filter(topics__in=topic_ids)
        .exclude(pk=article.pk)
        .defer(*_BODIES)
        # Counted over the join the filter made: the number of topics shared.
        .annotate(shared_topics=Count("topics"))
        .order_by("-shared_topics", "-published_at", "pk")[:limit]
    )


def topic_get(*, slug: str) -> Topic | None:
    """The topic at `slug`, or None."""
    return Topic.objects.filter(slug=slug).first()


def topic_list_with_live_articles() -> list[Topic]:
    """Topics that at least one live article has, by name (one query)."""
    live_in_topic = Article.objects.live().filter(topics=OuterRef("pk"))
    return list(Topic.objects.filter(Exists(live_in_topic)).order_by("name"))


def article_next_publication_at() -> datetime | None:
    """When the next scheduled article goes live, or None when none is scheduled (one query)."""
    return Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()


def article_sitemap_items() -> QuerySet[Article]:
    """Live articles for the sitemap: only what its entries need."""
    return Article.objects.live().only("slug", "published_at", "updated_at").order_by("-published_at", "pk")
