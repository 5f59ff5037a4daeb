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
- A stored page is the same for every visitor: nothing per visitor is
  filled in. So a cached page holds no form (a form needs a CSRF token);
  the articles link to the request form's own page instead. A page whose
  rendering asked for a CSRF token, set a cookie or read the session is
  never stored.
- Two levels: each process keeps the pages it served in memory (`_local`,
  at most `LOCAL_PAGES` of them, least recently used out first), in front of
  the shared cache. A hit in memory makes no network round trip at all: the
  process checks the shared version at most once every
  `VERSION_RECHECK_SECONDS`. The process that saves an article moves to the
  new version at once; every other process follows within that second.
- Compressed once, when stored: a page is kept both as HTML and gzipped,
  and each visitor gets the gzipped copy if their Accept-Encoding names
  gzip, the plain one otherwise; every answer says `Vary: Accept-Encoding`,
  so no shared cache on the way hands the gzipped copy to a client that did
  not ask for it. Compressing these pages is safe from BREACH: a stored page
  is the same for every visitor and holds no secret (no CSRF token, nothing
  per visitor), and what it shows of the URL is only its path.
- The cache is an optimisation: if it fails, pages are rendered as usual.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string
from redis.exceptions import RedisError

from articles.selectors import article_next_publication_at

logger = logging.getLogger(__name__)

PAGE_TTL = 5 * 60
VERSION_RECHECK_SECONDS = 1.0
LOCAL_PAGES = 256
CACHE_STATUS_HEADER = "X-Page-Cache"

_VERSION_KEY = "articles:pages:version"
# Part of every page key: a release that changes what a stored page holds
# raises it, so it never reads a page stored by the release before.
_FORMAT = 3
# Below this, gzip's own framing outweighs what it saves (GZipMiddleware's threshold too).
GZIP_MIN_BYTES = 200
_MISSING = object()

View = Callable[..., HttpResponse]


class _LocalPages:
    """This process's copy of the pages of one version, and when it last checked the version.

    `clock` times the version checks: a monotonic clock, so that a change of
    the wall clock can neither stretch nor skip the recheck interval (tests
    pass one they move by hand).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self.clock = clock
        self.forget()

    def forget(self) -> None:
        with self._lock:
            self.version: str | None = None
            self.checked_at = 0.0
            self._pages: OrderedDict[str, dict] = OrderedDict()

    def version_if_fresh(self) -> str | None:
        if self.version is not None and self.clock() - self.checked_at < VERSION_RECHECK_SECONDS:
            return self.version
        return None

    def use_version(self, version: str) -> None:
        with self._lock:
            if version != self.version:
                self._pages.clear()
                self.version = version
            self.checked_at = self.clock()

    def get(self, key: str) -> dict | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page["expires_at"] <= time.time():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: dict) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > LOCAL_PAGES:
                self._pages.popitem(last=False)


_local = _LocalPages()


def pages_invalidate() -> None:
    """Orphan every stored page by moving to a new version."""
    version = secrets.token_hex(8)
    _local.use_version(version)
    try:
        cache.set(_VERSION_KEY, version, timeout=None)
    except (RedisError, OSError):  # the cache is down or hangs
        logger.exception("Could not invalidate the page cache; stored pages expire within %s seconds.", PAGE_TTL)
        # Other processes cannot be told; this one at least renders afresh.
        _local.forget()


def forget_local_pages() -> None:
    """Drop this process's copies (tests do, after emptying the shared cache)."""
    _local.forget()


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
                return view(request, *args, **kwargs)
            version = _current_version()
            key = _page_key(version, request, params) if version else None
            stored = _stored_page(key) if key else None
            if stored is not None:
                response = HttpResponse(stored["content"], content_type=stored["content_type"])
                response[CACHE_STATUS_HEADER] = "hit"
                return _encoded(request, response, stored)
            response = view(request, *args, **kwargs)
            if key and version and _shareable(request, response):
                timeout = _page_timeout(version)
                page = {
                    "content": response.content,
                    "gzip": _gzipped(response.content),
                    "content_type": response["Content-Type"],
                    "expires_at": time.time() + timeout,
                }
                _cache_set(key, page, timeout)
                _local.put(key, page)
                response[CACHE_STATUS_HEADER] = "miss"
                return _encoded(request, response, page)
            return response

        return wrapper

    return decorator


def _gzipped(content: bytes) -> bytes | None:
    """The page gzipped (no timestamp, so every process stores the same bytes); None if too small to gain."""
    if len(content) < GZIP_MIN_BYTES:
        return None
    compressed = compress_string(content)  # GZipMiddleware's own: level 6, no timestamp
    return compressed if len(compressed) < len(content) else None


def _encoded(request: HttpRequest, response: HttpResponse, page: dict) -> HttpResponse:
    """The stored page's gzipped copy if the client takes gzip; either way, say that the answer depends on it."""
    patch_vary_headers(response, ("Accept-Encoding",))
    if page.get("gzip") and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response.content = page["gzip"]
        response["Content-Encoding"] = "gzip"
    return response


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


def _current_version() -> str | None:
    version = _local.version_if_fresh()
    if version is not None:
        return version
    try:
        version = cache.get(_VERSION_KEY)
        if version is None:
            # add, not set: two processes starting at once agree on one version.
            cache.add(_VERSION_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(_VERSION_KEY)
    except (RedisError, OSError):  # the cache is down or hangs
        logger.exception("Page cache unavailable; rendering without it.")
        _local.forget()
        return None
    if version is not None:
        _local.use_version(version)
    return version


def _stored_page(key: str) -> dict | None:
    """The page from this process's memory, else from the shared cache (and then kept in memory)."""
    page = _local.get(key)
    if page is not None:
        return page
    page = _cache_get(key)
    if not _usable(page):
        return None
    _local.put(key, page)
    return page


def _usable(page) -> bool:
    """A page as `cached_page` stores it, and not expired (anything else in the cache is ignored)."""
    return (
        isinstance(page, dict)
        and isinstance(page.get("content"), bytes)
        and isinstance(page.get("gzip"), bytes | None)
        and isinstance(page.get("content_type"), str)
        and isinstance(page.get("expires_at"), float)
        and page["expires_at"] > time.time()
    )


def _page_key(version: str, request: HttpRequest, params: tuple[str, ...]) -> str:
    query = urlencode([(name, value) for name in params for value in request.GET.getlist(name)])
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return f"articles:page:{_FORMAT}:{version}:{digest}"


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
    except (RedisError, OSError):  # the cache is down or hangs
        logger.exception("Page cache read failed.")
        return default


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except (RedisError, OSError):  # the cache is down or hangs
        logger.exception("Page cache write failed.")
