"""Appointment times the clinic accepts whatever day the tests run: open, no holiday, no closure."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.conf import settings
from django.utils import timezone

from requests_app.services.appointments import appointment_start, opening_hours_problem


def bookable_day(at: time = time(10, 0), *, after: int = 1) -> date:
    """The first day at least `after` days ahead on which an appointment at `at` fits the opening hours."""
    today = timezone.localdate()
    for offset in range(after, after + 60):
        day = today + timedelta(days=offset)
        if not opening_hours_problem(appointment_start(day, at), settings.APPOINTMENT_MINUTES):
            return day
    raise AssertionError(f"No day in the next two months has the clinic open at {at}.")
