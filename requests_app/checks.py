"""System checks: refuse a broken clinic configuration at start-up."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from clinic.client_address import trusted_proxies
from requests_app.opening_hours import parse_opening_hours


@register(Tags.compatibility)
def clinic_configuration(app_configs=None, **kwargs) -> list[Error]:  # noqa: ARG001 (Django passes both by keyword)
    errors: list[Error] = []
    clinic = settings.CLINIC
    for key in ("NAME", "PHONE", "ADDRESS", "OPENING_HOURS", "FRONT_DESK_EMAIL"):
        if not clinic.get(key):
            name = key.lower().replace("_", " ")
            errors.append(Error(f"The clinic's {name} is empty.", hint=f"Set CLINIC_{key}.", id="clinic.E001"))
    try:
        parse_opening_hours(clinic.get("OPENING_HOURS", ""))
    except ValueError as error:
        errors.append(Error(str(error), hint="Fix CLINIC_OPENING_HOURS.", id="clinic.E002"))
    try:
        ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(
            Error(f"Unknown time zone {settings.TIME_ZONE!r}.", hint="Fix CLINIC_TIME_ZONE.", id="clinic.E003")
        )
    try:
        holidays.country_holidays(clinic["HOLIDAYS_COUNTRY"], subdiv=clinic["HOLIDAYS_SUBDIVISION"] or None)
    except NotImplementedError as error:
        errors.append(
            Error(str(error), hint="Fix CLINIC_HOLIDAYS_COUNTRY or CLINIC_HOLIDAYS_SUBDIVISION.", id="clinic.E004")
        )
    return errors


@register(Tags.security)
def trusted_proxy_configuration(app_configs=None, **kwargs) -> list[Error]:  # noqa: ARG001 (as above)
    try:
        trusted_proxies()
    except ImproperlyConfigured as error:
        return [Error(str(error), hint="Fix TRUSTED_PROXY_COUNT or TRUSTED_PROXY_NETWORKS.", id="clinic.E005")]
    return []
