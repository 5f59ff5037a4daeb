"""Template context shared by every page: the clinic's public details."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from requests_app.opening_hours import opening_hours_text

logger = logging.getLogger(__name__)


def clinic(_request: HttpRequest) -> dict:
    """The clinic's settings, the public site URL and the opening hours in words."""
    return {
        "clinic": settings.CLINIC,
        "site_url": settings.SITE_URL,
        "clinic_hours_text": clinic_hours_text(settings.CLINIC["OPENING_HOURS"]),
    }


@lru_cache(maxsize=8)
def clinic_hours_text(spec: str) -> str:
    """The opening hours in words, or the spec itself when it cannot be parsed.

    A malformed spec must not take every page down with it (the footer shows
    the hours); it is logged so that someone fixes the setting.
    """
    try:
        return opening_hours_text(spec)
    except ValueError:
        logger.warning("CLINIC_OPENING_HOURS cannot be parsed; showing it as written.", exc_info=True)
        return spec
