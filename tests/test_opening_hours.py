"""The clinic's opening hours: parsed from the settings string, and shown in words."""

from __future__ import annotations

import re
from datetime import time

import pytest

from requests_app.context_processors import clinic, clinic_hours_text
from requests_app.opening_hours import format_opening_hours, opening_hours_text, parse_opening_hours, short_clock

WEEKDAY_HOURS = [(time(8), time(18))]


def test_the_default_spec_opens_weekdays_and_saturday_morning():
    hours = parse_opening_hours("mon-fri 08:00-18:00; sat 09:00-13:00")

    assert hours == {
        0: WEEKDAY_HOURS,
        1: WEEKDAY_HOURS,
        2: WEEKDAY_HOURS,
        3: WEEKDAY_HOURS,
        4: WEEKDAY_HOURS,
        5: [(time(9), time(13))],
        6: [],
    }


def test_days_can_be_listed_and_a_day_can_have_several_ranges_in_order():
    hours = parse_opening_hours("mon,wed 13:00-17:00,08:00-12:00; fri 08:30-12:15")

    assert hours[0] == [(time(8), time(12)), (time(13), time(17))]
    assert hours[2] == hours[0]
    assert hours[4] == [(time(8, 30), time(12, 15))]
    assert hours[1] == hours[3] == hours[5] == hours[6] == []


def test_the_spec_is_read_case_and_space_insensitively_with_a_trailing_separator():
    assert parse_opening_hours("  MON-Fri   8:00-18:00 ;  Sun 10:00-12:00 ; ") == parse_opening_hours(
        "mon-fri 08:00-18:00; sun 10:00-12:00"
    )


def test_two_entries_for_one_day_are_combined():
    hours = parse_opening_hours("mon-fri 08:00-12:00; mon 13:00-17:00")

    assert hours[0] == [(time(8), time(12)), (time(13), time(17))]
    assert hours[1] == [(time(8), time(12))]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("mon-fri", "must be '<days> <HH:MM-HH:MM>'"),
        ("mon - fri 08:00-18:00", "must be '<days> <HH:MM-HH:MM>'"),
        ("funday 08:00-18:00", "Unknown day 'funday'"),
        ("fri-mon 08:00-18:00", "runs backwards"),
        ("mon 08:00", "must look like '08:00-18:00'"),
        ("mon 8-18", "24-hour HH:MM"),
        ("mon 24:00-25:00", "24-hour HH:MM"),
        ("mon 08:60-09:00", "24-hour HH:MM"),
        ("mon 18:00-08:00", "ends before it starts"),
        ("mon 09:00-09:00", "ends before it starts"),
        ("mon 08:00-12:00,11:00-13:00", "overlap on Monday"),
        ("mon-fri 08:00-18:00; wed 17:00-19:00", "overlap on Wednesday"),
        (";", "list no open day"),
    ],
)
def test_a_malformed_spec_raises_a_clear_error(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_opening_hours(spec)


def test_the_hours_read_as_a_sentence():
    assert (
        opening_hours_text("mon-fri 08:00-18:00; sat 09:00-13:00")
        == "Monday to Friday 8:00 am \u2013 6:00 pm, Saturday 9:00 am \u2013 1:00 pm"
    )


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        ("sat-sun 10:00-14:00", "Saturday and Sunday 10:00 am \u2013 2:00 pm"),
        ("mon,wed 07:30-12:00", "Monday 7:30 am \u2013 12:00 pm, Wednesday 7:30 am \u2013 12:00 pm"),
        ("tue 00:00-00:30,12:00-23:59", "Tuesday 12:00 am \u2013 12:30 am and 12:00 pm \u2013 11:59 pm"),
        (
            "mon-tue 08:00-18:00; wed 08:00-12:00; thu-fri 08:00-18:00",
            (
                "Monday and Tuesday 8:00 am \u2013 6:00 pm, Wednesday 8:00 am \u2013 12:00 pm, "
                "Thursday and Friday 8:00 am \u2013 6:00 pm"
            ),
        ),
    ],
)
def test_only_consecutive_days_with_equal_hours_are_grouped(spec, text):
    assert opening_hours_text(spec) == text


def test_a_week_with_no_open_day_reads_closed():
    assert format_opening_hours({day: [] for day in range(7)}) == "Closed"


def test_every_page_gets_the_hours_in_words(rf, settings):
    settings.CLINIC = {**settings.CLINIC, "OPENING_HOURS": "mon-fri 09:00-17:00"}

    context = clinic(rf.get("/"))

    assert context["clinic_hours_text"] == "Monday to Friday 9:00 am \u2013 5:00 pm"
    assert context["clinic"]["OPENING_HOURS"] == "mon-fri 09:00-17:00"


def test_a_malformed_setting_shows_as_written_instead_of_breaking_every_page(caplog):
    clinic_hours_text.cache_clear()
    assert clinic_hours_text("weekdays 9 to 5") == "weekdays 9 to 5"
    assert "CLINIC_OPENING_HOURS cannot be parsed" in caplog.text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (time(8), "8 am"),
        (time(8, 30), "8:30 am"),
        (time(12), "12 noon"),
        (time(12, 15), "12:15 pm"),
        (time(17), "5 pm"),
        (time(0), "12 midnight"),
        (time(23, 59), "11:59 pm"),
    ],
)
def test_a_time_of_day_is_said_as_people_say_it(value, text):
    assert short_clock(value) == text
