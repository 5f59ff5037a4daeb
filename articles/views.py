"""The public pages: home, the article list (all or by topic), an article; robots.txt and the 500 page.

Topic filtering is by path, `/articles/topic/<slug>/`: each topic list has one
address of its own (for the sitemap and canonical links), and an unknown
topic is a plain 404. Pages are `?page=<n>`.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.http import require_safe

from articles import selectors
from articles.cache import cached_page
from articles.seo import absolute_url, article_structured_data
from requests_app.context_processors import clinic_hours_text

ARTICLES_PER_PAGE = 10
_PAGE_NUMBER = re.compile(r"^[0-9]{1,6}\Z")
LATEST_ON_HOME = 3


@cached_page()
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "latest_articles": selectors.article_latest_live(limit=LATEST_ON_HOME),
        "topics": selectors.topic_list_with_live_articles(),
        "canonical_url": absolute_url(request.path),
    }
    return render(request, "articles/home.html", context)


@cached_page(query_params=["page"])
def article_list(request: HttpRequest, topic_slug: str | None = None) -> HttpResponse:
    """Ten articles a page. A page past the last redirects to the last; a page that is not a number is a 404."""
    topic = None
    if topic_slug is not None:
        topic = selectors.topic_get(slug=topic_slug)
        if topic is None:
            raise Http404("No topic at this address.")
    number = _page_number(request)
    paginator = Paginator(selectors.article_list_live(topic=topic), ARTICLES_PER_PAGE)
    if number > paginator.num_pages:
        return redirect(_page_path(request.path, paginator.num_pages))
    page = paginator.page(number)
    context = {
        "topic": topic,
        "topics": selectors.topic_list_with_live_articles(),
        "page": page,
        "previous_page_url": _page_path(request.path, page.previous_page_number()) if page.has_previous() else None,
        "next_page_url": _page_path(request.path, page.next_page_number()) if page.has_next() else None,
        "canonical_url": absolute_url(_page_path(request.path, number)),
    }
    return render(request, "articles/article_list.html", context)


@cached_page()
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A live article for everyone; a draft or scheduled one for staff only, as an uncached preview."""
    article = selectors.article_get(slug=slug)
    preview = False
    if article is None and request.user.is_staff:
        article = selectors.article_get(slug=slug, include_unpublished=True)
        preview = article is not None
    if article is None:
        raise Http404("No published article at this address.")
    context = {
        "article": article,
        "related_articles": selectors.article_related(article=article),
        "structured_data": article_structured_data(article=article),
        "canonical_url": absolute_url(article.get_absolute_url()),
        "preview": preview,
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        add_never_cache_headers(response)
    return response


@require_safe
def robots_txt(_request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def server_error(_request: HttpRequest) -> HttpResponse:
    """The 500 page, with the clinic's phone number, rendered without the request or the database.

    Falls back to Django's bare page if even that fails.
    """
    try:
        template = loader.get_template("500.html")
        context = {
            "clinic": settings.CLINIC,
            "site_url": settings.SITE_URL,
            "clinic_hours_text": clinic_hours_text(settings.CLINIC["OPENING_HOURS"]),
        }
        return HttpResponseServerError(template.render(context))
    except Exception:  # noqa: BLE001
        # Broad on purpose: the error page must answer whatever failed (the template, a setting, the
        # hours); Django's own bare page then, without its template lookup (which re-raises for any
        # template name but 500.html).
        return HttpResponseServerError(defaults.ERROR_PAGE_TEMPLATE % {"title": "Server Error (500)", "details": ""})


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    # ASCII digits only, and few of them: int() accepts other digits and
    # refuses very long strings, and neither may become a 500.
    if not _PAGE_NUMBER.match(raw) or int(raw) < 1:
        raise Http404("Page numbers are whole numbers from 1.")
    return int(raw)


def _page_path(path: str, number: int) -> str:
    return path if number == 1 else f"{path}?page={number}"
