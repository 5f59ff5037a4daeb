"""Callback deadlines follow the clinic's hours: evenings, weekends, holidays, urgency and best time to call."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from requests_app.business_hours import BusinessCalendar, day_choices, keep_best_time, slot_choices
from requests_app.deadlines import callback_due_at, callback_timing, clinic_calendar
from requests_app.formatting import best_time_note, best_time_text
from requests_app.models import ClinicClosure
from requests_app.opening_hours import parse_opening_hours

TZ = ZoneInfo("America/New_York")
HOURS = "mon-fri 08:00-18:00; sat 09:00-13:00"


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


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


# --- The best time to call: what the clinic keeps of it ----------------------------


def test_a_sunday_evening_only_request_is_called_on_the_first_evening_the_clinic_is_open():
    """Sunday is never open: it is left out, and the evening (5 to 6 pm on weekdays) is kept."""
    monday_night = at(2026, 11, 23, 19, 0)
    due = callback_due_at(
        received_at=monday_night,
        priority="routine",
        best_time_slots=["evening"],
        best_days=["sun"],
        calendar=calendar(),
    )
    assert due == at(2026, 11, 24, 18, 0)


def test_a_time_of_day_the_clinic_is_never_open_in_is_ignored():
    nine_to_five = BusinessCalendar(hours=parse_opening_hours("mon-fri 09:00-17:00"), tz=TZ, closed_dates=frozenset())
    received = at(2026, 11, 23, 10, 15)
    evening_only = callback_due_at(
        received_at=received, priority="routine", best_time_slots=["evening"], calendar=nine_to_five
    )
    assert evening_only == callback_due_at(received_at=received, priority="routine", calendar=nine_to_five)


@pytest.mark.parametrize(
    ("spec", "slots", "days", "kept_slots", "kept_days"),
    [
        (HOURS, ["evening"], ["sun"], ("evening",), ()),
        (HOURS, ["evening", "morning"], ["sat", "sun"], ("morning",), ("sat",)),  # no Saturday evening
        ("mon-fri 09:00-17:00", ["evening"], [], (), ()),
        ("mon-fri 09:00-17:00", ["morning", "nonsense"], ["fri", "friday"], ("morning",), ("fri",)),
        ("mon-sun 07:00-21:00", ["evening"], ["sun"], ("evening",), ("sun",)),
        # Open 5:00 to 5:20 pm only: too short to plan a call in.
        ("mon-fri 08:00-17:20", ["evening"], [], (), ()),
    ],
)
def test_the_best_time_keeps_only_days_and_times_the_clinic_is_open(spec, slots, days, kept_slots, kept_days):
    best_time = keep_best_time(parse_opening_hours(spec), slots, days)
    assert (best_time.slots, best_time.days) == (kept_slots, kept_days)


def test_slot_labels_show_the_hours_the_clinic_is_open_in_them():
    assert slot_choices(parse_opening_hours(HOURS)) == [
        ("morning", "Morning (8 am to 12 noon)"),
        ("midday", "Midday (12 noon to 2 pm)"),
        ("afternoon", "Afternoon (2 pm to 5 pm)"),
        ("evening", "Evening (5 pm to 6 pm)"),
    ]
    assert slot_choices(parse_opening_hours("mon-fri 08:30-16:45")) == [
        ("morning", "Morning (8:30 am to 12 noon)"),
        ("midday", "Midday (12 noon to 2 pm)"),
        ("afternoon", "Afternoon (2 pm to 4:45 pm)"),
    ]
    assert day_choices(parse_opening_hours(HOURS))[-1] == ("sat", "Saturday")


@pytest.mark.parametrize(
    ("slots", "days", "text", "short"),
    [
        (["morning", "evening"], ["tue", "thu"],
         "Morning (8 am to 12 noon) or Evening (5 pm to 6 pm) on Tuesday or Thursday",
         "Morning, Evening \u00b7 Tue, Thu"),
        (["afternoon"], [], "Afternoon (2 pm to 5 pm)", "Afternoon"),
        ([], ["fri"], "on Friday", "Fri"),
        # Never open on Sundays, never in the evening on Saturdays: what is left is said.
        (["evening"], ["sat", "sun"], "on Saturday", "Sat"),
        ([], ["sun"], "any time we are open", "any time"),
        ([], [], "any time we are open", "any time"),
    ],
)  # fmt: skip
def test_a_best_time_is_said_one_way_everywhere_as_the_clinic_keeps_it(settings, slots, days, text, short):
    """The queue, the call console, the staff API and a repeat's note all say it through this one function."""
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": HOURS}
    assert best_time_text(slots, days) == text
    assert best_time_text(slots, days, short=True) == short


def timing(received, *, slots=(), days=(), priority="routine", hours=None):
    cal = (
        calendar()
        if hours is None
        else BusinessCalendar(hours=parse_opening_hours(hours), tz=TZ, closed_dates=frozenset())
    )
    return callback_timing(received_at=received, priority=priority, best_time_slots=slots, best_days=days, calendar=cal)


@pytest.mark.parametrize(
    ("kwargs", "note"),
    [
        # Monday 10:15: usually called by Tuesday 10:15.
        (
            {"days": ["thu"], "slots": ["morning"]},
            "That is later than our usual one working day because you asked us to call on Thursday in the morning.",
        ),
        (
            {"days": ["thu", "fri"]},
            "That is later than our usual one working day because you asked us to call on Thursday or Friday.",
        ),
        ({"slots": ["afternoon"]}, ""),  # this afternoon: sooner than usual
        ({"days": ["tue"], "slots": ["morning"]}, ""),  # Tuesday by noon: the day it would be due anyway
        (
            {"days": ["sun"], "slots": ["evening"]},
            "We are not open on Sundays, so we will call you in the evening instead.",
        ),
        ({"days": ["sun"]}, "We are not open on Sundays, so we will call you during our opening hours instead."),
        (
            {"days": ["sat"], "slots": ["evening"]},
            "We are not open in the evening on Saturdays, so we will call you on Saturday instead.",
        ),
        ({"days": ["thu"], "priority": "urgent"}, ""),  # red flags: the best time does not count
        ({}, ""),
    ],
)
def test_the_patient_is_told_in_one_sentence_when_their_best_time_changed_the_call(kwargs, note):
    assert best_time_note(timing(at(2026, 11, 23, 10, 15), **kwargs)) == note


def test_a_time_the_clinic_is_never_open_in_is_explained():
    note = best_time_note(timing(at(2026, 11, 23, 10, 15), slots=["evening"], hours="mon-fri 09:00-17:00"))
    assert note == "We are not open in the evening, so we will call you during our opening hours instead."
