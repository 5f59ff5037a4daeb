"""What search engines read: absolute URLs and the schema.org description of an article."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from articles.models import Article, Person


def absolute_url(path: str) -> str:
    """`path` on the public site (`settings.SITE_URL`), whatever host the request came to."""
    return f"{settings.SITE_URL}{path}"


def article_structured_data(*, article: Article) -> dict:
    """The article as a schema.org MedicalWebPage, ready for a JSON-LD script.

    `lastReviewed` is the content-updated date: every revision of an article
    is medically reviewed before it is published.
    """
    clinic = settings.CLINIC
    url = absolute_url(article.get_absolute_url())
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "inLanguage": "en-US",
        "datePublished": timezone.localtime(article.published_at).isoformat(),
        "dateModified": timezone.localtime(article.last_updated_at).isoformat(),
        "lastReviewed": timezone.localdate(article.last_updated_at).isoformat(),
        "author": _person(article.author),
        "reviewedBy": _person(article.reviewer),
        "about": [{"@type": "Thing", "name": topic.name} for topic in article.topics.all()],
        "publisher": {
            "@type": "MedicalClinic",
            "name": clinic["NAME"],
            "url": settings.SITE_URL + "/",
            "telephone": clinic["PHONE"],
            "address": clinic["ADDRESS"],
        },
    }


def _person(person: Person) -> dict:
    return {"@type": "Person", "name": person.name, "jobTitle": person.credentials}
