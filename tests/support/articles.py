"""The article admin's change form, as a browser posts it."""

from __future__ import annotations

from django.utils import timezone

from articles.models import Article


def article_change_form(article: Article, **changes) -> dict:
    """Every field of the change form with the article's values (times in the clinic's zone), then `changes`."""
    published = timezone.localtime(article.published_at)
    updated = timezone.localtime(article.updated_at)
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body_markdown": article.body_markdown,
        "topics": list(article.topics.values_list("pk", flat=True)),
        "author": article.author_id,
        "reviewer": article.reviewer_id,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "updated_at_0": updated.strftime("%Y-%m-%d"),
        "updated_at_1": updated.strftime("%H:%M:%S"),
        "_save": "Save",
    }
    return {**data, **changes}
