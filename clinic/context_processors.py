"""Template context shared by every page: the clinic's public details."""

from django.conf import settings
from django.http import HttpRequest


def clinic(request: HttpRequest) -> dict:
    return {"clinic": settings.CLINIC, "site_url": settings.SITE_URL}
