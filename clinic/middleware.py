"""Middleware of the project's own."""

from __future__ import annotations

import re

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from typing_extensions import override

# Django's session keys: lowercase letters and digits (SessionBase's VALID_KEY_CHARS).
_SESSION_KEY = re.compile(r"[a-z0-9]{8,64}")


def drop_malformed_session_cookie(get_response):
    """Ignore a session cookie that cannot be a session key (PostgreSQL refuses a NUL in a lookup: a 500)."""

    def middleware(request):
        value = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if value is not None and not _SESSION_KEY.fullmatch(value):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return get_response(request)

    return middleware


class StaticGZipMiddleware(GZipMiddleware):
    """Gzip static files (CSS, JavaScript, SVG) that nothing has compressed yet, for a client that asks.

    Installed outside production only (settings.MIDDLEWARE): there
    WhiteNoise serves its own gzipped copies, made at collectstatic, with
    far-future cache headers. In development (`make run`) WhiteNoise serves
    the files from their folders as they are, and this compresses them, so
    that a page checked there is sent as in production. Only static files: pages are gzipped by the page cache
    (`articles.cache`), and a page with a form is never compressed (BREACH).
    """

    @override
    def process_response(self, request, response):
        if not request.path.startswith(settings.STATIC_URL):
            return response
        return super().process_response(request, response)
