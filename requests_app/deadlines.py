"""Callback deadlines: when the front desk must have called a patient back.

The clinic's opening hours, time zone and closed days (public holidays from
the `holidays` package plus closures entered in the admin) decide when a
callback is due:

- emergency: within 15 minutes when the clinic is open, at opening when it
  is closed (the patient has been told to go to an emergency department
  now, and the alert reaches the desk and the supervisors at once);
- urgent: within one business hour of the next opening moment (so at night
  it is due an hour after opening, while the alert goes out at once);
- routine: within one business day: by the same clock time on the next
  open day (or that day's closing time, if the clinic closes earlier);
- routine with a best time to call: by the end of the patient's first
  preferred window (time-of-day slot on a preferred day, inside opening
  hours), which also orders the queue within a priority.

The calendar arithmetic and the best time's rules are in
`requests_app.business_hours`; this module adds the closures and the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections

from requests_app.business_hours import (
    SEARCH_DAYS,
    BusinessCalendar,
    CallbackTiming,
    clinic_opening_hours,
    keep_best_time,
    public_holidays,
)
from requests_app.models import AppointmentRequest, ClinicClosure

EMERGENCY_WITHIN = timedelta(minutes=15)
URGENT_WITHIN = timedelta(hours=1)


def closed_dates_between(first: date, last: date) -> frozenset[date]:
    """Public holidays of the clinic's region and closures entered in the admin."""
    clinic = settings.CLINIC
    public = {
        day
        for year in range(first.year, last.year + 1)
        for day in public_holidays(clinic["HOLIDAYS_COUNTRY"], clinic["HOLIDAYS_SUBDIVISION"], year)
        if first <= day <= last
    }
    # Every submission's answer asks this (its expected call), and building the ORM's query cost
    # several times running it: the statement is written out, names from the model.
    connection = connections[ClinicClosure.objects.db]
    table = connection.ops.quote_name(ClinicClosure._meta.db_table)
    column = connection.ops.quote_name(ClinicClosure._meta.get_field("date").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {column} BETWEEN %s AND %s",  # noqa: S608 (names, not values)
            [connection.ops.adapt_datefield_value(first), connection.ops.adapt_datefield_value(last)],
        )
        # SQLite hands a date column back as its text.
        extra = {value if isinstance(value, date) else date.fromisoformat(value) for (value,) in cursor.fetchall()}
    return frozenset(public | extra)


def clinic_calendar(around: datetime) -> BusinessCalendar:
    """The clinic's calendar for the weeks after `around`."""
    tz = ZoneInfo(settings.TIME_ZONE)
    first = around.astimezone(tz).date() - timedelta(days=1)
    return BusinessCalendar(
        hours=clinic_opening_hours(),
        tz=tz,
        closed_dates=closed_dates_between(first, first + timedelta(days=SEARCH_DAYS + 2)),
    )


def callback_timing(
    *,
    received_at: datetime,
    priority: str,
    best_time_slots: Iterable[str] = (),
    best_days: Iterable[str] = (),
    calendar: BusinessCalendar | None = None,
) -> CallbackTiming:
    """When the front desk must have called the patient back, and what the best time to call did to it.

    - emergency: 15 minutes while open, else at opening;
    - urgent: one business hour (no waiting for the patient's best time);
    - routine: one business day, or the end of the first window of the
      patient's best time that the clinic keeps.
    """
    calendar = calendar or clinic_calendar(received_at)
    best_time = keep_best_time(calendar.hours, best_time_slots, best_days)
    if priority == "emergency":
        is_open = calendar.is_open(received_at)
        due = received_at + EMERGENCY_WITHIN if is_open else calendar.next_open(received_at)
        return CallbackTiming(due_at=due, usual_due_at=due, best_time=best_time)
    start = calendar.next_open(received_at)
    if priority == "urgent":
        # Red flags: no waiting for the patient's preferred time.
        due = calendar.add_business_time(start, URGENT_WITHIN)
        return CallbackTiming(due_at=due, usual_due_at=due, best_time=best_time)
    usual = calendar.next_business_day(start)
    if best_time.kept:
        for _, window_end in calendar.preferred_windows(start, best_time.slots, best_time.days):
            return CallbackTiming(due_at=window_end, usual_due_at=usual, best_time=best_time)
    return CallbackTiming(due_at=usual, usual_due_at=usual, best_time=best_time)


def callback_due_at(
    *,
    received_at: datetime,
    priority: str,
    best_time_slots: Iterable[str] = (),
    best_days: Iterable[str] = (),
    calendar: BusinessCalendar | None = None,
) -> datetime:
    """When the front desk must have called the patient back (see `callback_timing`)."""
    return callback_timing(
        received_at=received_at,
        priority=priority,
        best_time_slots=best_time_slots,
        best_days=best_days,
        calendar=calendar,
    ).due_at


def expected_callback_timing(request: AppointmentRequest) -> CallbackTiming:
    """When the patient can expect the call, from the clinic's hours, the request's tier and their best time."""
    return callback_timing(
        received_at=request.created_at,
        priority=request.priority,
        best_time_slots=request.best_time_slots,
        best_days=request.best_days,
    )


def expected_callback(request: AppointmentRequest) -> datetime:
    """When the patient can expect the call (see `expected_callback_timing`)."""
    return expected_callback_timing(request).due_at
