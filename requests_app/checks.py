"""System checks: refuse a broken clinic configuration at start-up."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def clinic_configuration(app_configs=None, **kwargs) -> list[Error]:
    errors: list[Error] = []
    for key in ("NAME", "PHONE", "ADDRESS", "OPENING_HOURS", "FRONT_DESK_EMAIL"):
        if not settings.CLINIC.get(key):
            errors.append(
                Error(
                    f"The clinic's {key.lower().replace('_', ' ')} is empty.",
                    hint=f"Set CLINIC_{key}.",
                    id="clinic.E001",
                )
            )
    return errors
