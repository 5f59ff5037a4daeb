"""A cache of the rendered public pages, so a hit costs no database query.

How it works:

- `cached_page` wraps a view. For an anonymous GET it looks the page up
  under a key made of a *version*, the path and the query parameters the
  view reads. A hit is answered from the stored HTML without running the
  view; a miss runs the view and stores the HTML if the response is safe to
  share (see `_shareable`).
- Every save or delete of an article, person or topic replaces the version
  (`pages_invalidate`, wired in `articles.signals`), so every stored page is
  orphaned at once and ages out. The version is a random token, not a
  counter, so a version key evicted from the cache can never come back as a
  value an old page was stored under.
- Pages live at most `PAGE_TTL` seconds, and never past the moment the next
  scheduled article goes live: that article appears on time without anyone
  saving anything. A stored page only ever lists articles that were live
  when it was rendered, and nothing goes from live to hidden without a save.
- The stored HTML may hold per-request markers; `fill_per_request` fills
  them on every response, hit or miss. Templates must put
  `<!--csrf-token-->` where a form needs its token, never `{% csrf_token %}`
  (a page whose rendering asked for a token is not stored at all).
- The cache is an optimisation: if it fails, pages are rendered as usual.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from articles.selectors import article_next_publication_at

logger = logging.getLogger(__name__)

PAGE_TTL = 5 * 60
CSRF_TOKEN_MARKER = "<!--csrf-token-->"  # noqa: S105 (a placeholder, not a secret)
CACHE_STATUS_HEADER = "X-Page-Cache"

_VERSION_KEY = "articles:pages:version"
_MISSING = object()

View = Callable[..., HttpResponse]


def fill_per_request(html: str, request: HttpRequest) -> str:
    """Replace the per-request markers in cached `html` with this request's values.

    The CSRF token marker, and the appointment form's own token (when it was
    shown, and a submission id for idempotency). The CSRF token is only asked
    for when the marker is there, because asking makes the response set a
    CSRF cookie.
    """
    from requests_app.forms import FORM_TOKEN_MARKER, new_form_token

    if CSRF_TOKEN_MARKER in html:
        html = html.replace(CSRF_TOKEN_MARKER, get_token(request))
    if FORM_TOKEN_MARKER in html:
        html = html.replace(FORM_TOKEN_MARKER, new_form_token())
    return html


def pages_invalidate() -> None:
    """Orphan every stored page by moving to a new version."""
    try:
        cache.set(_VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        logger.exception("Could not invalidate the page cache; stored pages expire within %s seconds.", PAGE_TTL)


def cached_page(*, query_params: Iterable[str] = ()) -> Callable[[View], View]:
    """Serve the view's anonymous GET responses from the page cache.

    `query_params` names the query parameters the view reads; the rest of
    the query string is left out of the key, so tracking parameters cannot
    fill the cache with copies of one page.
    """
    params = tuple(sorted(query_params))

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _may_use_cache(request):
                return _filled(view(request, *args, **kwargs), request)
            version = _current_version()
            key = _page_key(version, request, params) if version else None
            stored = _cache_get(key) if key else None
            if stored is not None:
                response = HttpResponse(fill_per_request(stored["html"], request), content_type=stored["content_type"])
                response[CACHE_STATUS_HEADER] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if key and _shareable(request, response):
                html = response.content.decode(response.charset)
                _cache_set(key, {"html": html, "content_type": response["Content-Type"]}, _page_timeout(version))
                response[CACHE_STATUS_HEADER] = "miss"
            return _filled(response, request)

        return wrapper

    return decorator


def _may_use_cache(request: HttpRequest) -> bool:
    # A session cookie means a logged-in user (staff previews drafts) or at
    # least someone whose pages may differ; they always get a fresh render.
    # Checking the cookie, not request.user, keeps a hit free of queries.
    return request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether `response` is the same for every anonymous visitor, and so may be stored."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    if any(
        header.strip().lower() in {"cookie", "authorization", "*"} for header in response.get("Vary", "").split(",")
    ):
        return False
    # The view looked at the user or the session: its output may be per user.
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    # Rendering asked for a CSRF token ({% csrf_token %}), so the page holds a
    # per-visitor secret (or the visitor's CSRF cookie is being replaced).
    return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def _filled(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return response
    html = response.content.decode(response.charset)
    if CSRF_TOKEN_MARKER in html:
        response.content = fill_per_request(html, request)
    return response


def _current_version() -> str | None:
    try:
        version = cache.get(_VERSION_KEY)
        if version is None:
            # add, not set: two processes starting at once agree on one version.
            cache.add(_VERSION_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(_VERSION_KEY)
        return version
    except Exception:
        logger.exception("Page cache unavailable; rendering without it.")
        return None


def _page_key(version: str, request: HttpRequest, params: tuple[str, ...]) -> str:
    query = urlencode([(name, value) for name in params for value in request.GET.getlist(name)])
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return f"articles:page:{version}:{digest}"


def _page_timeout(version: str) -> int:
    """Seconds a page rendered now may be served: PAGE_TTL, cut short by the next scheduled publication."""
    now = timezone.now()
    key = f"articles:pages:{version}:next-publication"
    next_at = _cache_get(key, default=_MISSING)
    if next_at is _MISSING or (next_at is not None and next_at <= now):
        next_at = article_next_publication_at()
        _cache_set(key, next_at, PAGE_TTL)
    if next_at is None:
        return PAGE_TTL
    return max(1, min(PAGE_TTL, math.ceil((next_at - now).total_seconds())))


def _cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception:
        logger.exception("Page cache read failed.")
        return default


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.exception("Page cache write failed.")
