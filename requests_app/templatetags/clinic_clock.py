"""The clinic's clock in staff templates: `{{ moment|clinic_moment }}` reads "Tue 1 Dec, 10:12 am EST"."""

from __future__ import annotations

from django import template

from requests_app.formatting import clinic_time, short_moment

register = template.Library()


@register.filter
def clinic_moment(moment) -> str:
    return short_moment(moment) if moment else ""


@register.filter(name="clinic_time")
def clinic_time_filter(moment) -> str:
    return clinic_time(moment) if moment else ""
