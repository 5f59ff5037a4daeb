"""Callback deadlines follow the clinic's hours: evenings, weekends, holidays, urgency and best time to call."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.opening_hours import parse_opening_hours
from requests_app.business_hours import BusinessCalendar, callback_due_at, clinic_calendar
from requests_app.models import ClinicClosure

TZ = ZoneInfo("America/New_York")
HOURS = "mon-fri 08:00-18:00; sat 09:00-13:00"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def calendar(*closed: date) -> BusinessCalendar:
    return BusinessCalendar(hours=parse_opening_hours(HOURS), tz=TZ, closed_dates=frozenset(closed))


# 2026-11-23 is a Monday.
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 11, 23, 10, 15), at(2026, 11, 24, 10, 15)),  # a weekday morning: same time next day
        (at(2026, 11, 23, 21, 0), at(2026, 11, 25, 8, 0)),  # evening: starts at Tuesday's opening
        (at(2026, 11, 23, 6, 30), at(2026, 11, 24, 8, 0)),  # before opening: starts at opening
        (at(2026, 11, 27, 16, 0), at(2026, 11, 28, 13, 0)),  # Friday afternoon: Saturday closes at 13:00
        (at(2026, 11, 28, 11, 0), at(2026, 11, 30, 11, 0)),  # Saturday: Monday, Sunday is closed
        (at(2026, 11, 29, 12, 0), at(2026, 12, 1, 8, 0)),  # Sunday: starts Monday 8:00, due Tuesday 8:00
    ],
)
def test_a_routine_callback_is_due_within_one_business_day(received, due):
    assert callback_due_at(received_at=received, priority="routine", calendar=calendar()) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 11, 23, 10, 15), at(2026, 11, 23, 11, 15)),  # open: one hour
        (at(2026, 11, 23, 17, 30), at(2026, 11, 24, 8, 30)),  # half an hour today, half tomorrow
        (at(2026, 11, 23, 23, 0), at(2026, 11, 24, 9, 0)),  # night: an hour after opening
        (at(2026, 11, 28, 12, 45), at(2026, 11, 30, 8, 45)),  # Saturday near closing: Monday
    ],
)
def test_an_urgent_callback_is_due_within_one_business_hour(received, due):
    assert callback_due_at(received_at=received, priority="urgent", calendar=calendar()) == due


def test_a_holiday_is_skipped():
    # Thanksgiving 2026 is Thursday 26 November.
    thanksgiving = date(2026, 11, 26)
    due = callback_due_at(received_at=at(2026, 11, 25, 9, 0), priority="routine", calendar=calendar(thanksgiving))
    assert due == at(2026, 11, 27, 9, 0)


@pytest.mark.django_db
def test_the_clinic_calendar_includes_public_holidays_and_closures_from_the_admin():
    ClinicClosure.objects.create(date=date(2026, 11, 24), reason="Staff training")
    cal = clinic_calendar(at(2026, 11, 23, 9, 0))
    assert date(2026, 11, 26) in cal.closed_dates  # Thanksgiving, from the holidays package
    assert date(2026, 11, 24) in cal.closed_dates
    assert callback_due_at(received_at=at(2026, 11, 23, 10, 0), priority="routine") == at(2026, 11, 25, 10, 0)


def test_the_best_time_to_call_sets_the_deadline_to_the_end_of_the_first_preferred_window():
    due = callback_due_at(
        received_at=at(2026, 11, 23, 10, 15), priority="routine", best_time_slots=["afternoon"], calendar=calendar()
    )
    assert due == at(2026, 11, 23, 17, 0)


def test_a_preferred_day_later_in_the_week_is_waited_for():
    due = callback_due_at(
        received_at=at(2026, 11, 23, 10, 15),
        priority="routine",
        best_time_slots=["morning"],
        best_days=["thu"],
        calendar=calendar(),
    )
    assert due == at(2026, 11, 26, 12, 0)


def test_a_window_with_too_little_time_left_moves_to_the_next_day():
    due = callback_due_at(
        received_at=at(2026, 11, 23, 11, 50), priority="routine", best_time_slots=["morning"], calendar=calendar()
    )
    assert due == at(2026, 11, 24, 12, 0)


def test_an_urgent_request_ignores_the_preferred_time():
    due = callback_due_at(
        received_at=at(2026, 11, 23, 10, 0), priority="urgent", best_time_slots=["evening"], calendar=calendar()
    )
    assert due == at(2026, 11, 23, 11, 0)


def test_patients_with_a_best_time_sort_by_it_within_a_priority():
    received = at(2026, 11, 23, 9, 0)
    morning = callback_due_at(
        received_at=received, priority="routine", best_time_slots=["morning"], calendar=calendar()
    )
    evening = callback_due_at(
        received_at=received, priority="routine", best_time_slots=["evening"], calendar=calendar()
    )
    anytime = callback_due_at(received_at=received, priority="routine", calendar=calendar())
    assert morning < evening < anytime


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 11, 23, 10, 0), at(2026, 11, 23, 10, 15)),  # open: 15 minutes
        (at(2026, 11, 23, 17, 50), at(2026, 11, 23, 18, 5)),  # ten minutes before closing: still 15 minutes
        (at(2026, 11, 23, 21, 0), at(2026, 11, 24, 8, 0)),  # closed: at the next opening
        (at(2026, 11, 28, 14, 0), at(2026, 11, 30, 8, 0)),  # Saturday afternoon: Monday's opening
    ],
)
def test_an_emergency_callback_is_due_in_15_minutes_when_open_and_at_opening_otherwise(received, due):
    assert callback_due_at(received_at=received, priority="emergency", calendar=calendar()) == due


def test_an_emergency_ignores_the_preferred_time():
    received = at(2026, 11, 23, 10, 0)
    due = callback_due_at(received_at=received, priority="emergency", best_time_slots=["evening"], calendar=calendar())
    assert due == at(2026, 11, 23, 10, 15)
