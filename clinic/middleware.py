"""Middleware of the project's own."""

from __future__ import annotations

import re

from django.conf import settings

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
