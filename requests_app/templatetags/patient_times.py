"""Times as a patient reads them, for templates that only have the request (the emails)."""

from __future__ import annotations

from django import template

from requests_app.deadlines import expected_callback_timing
from requests_app.formatting import best_time_note, clinic_zone_abbreviation

register = template.Library()


@register.simple_tag
def best_time_reason(request) -> str:
    """Why the call comes when it does, when the patient's best time to call changed it (else "")."""
    if request is None:
        return ""
    return best_time_note(expected_callback_timing(request))


@register.simple_tag
def clinic_zone() -> str:
    """ "EST" or "EDT": the clinic's clock now, to say beside opening hours and times of day."""
    return clinic_zone_abbreviation()
