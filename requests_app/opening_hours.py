"""The clinic's opening hours: parsed from the settings string, and said in words.

The spec (`settings.CLINIC["OPENING_HOURS"]`) lists days and time ranges in
the clinic's own time zone, entries separated by ";"::

    mon-fri 08:00-18:00; sat 09:00-13:00
    mon,wed 08:00-12:00,13:00-17:00; fri 08:00-12:00

Days not listed are closed. Pure functions, no Django: the business-hours
deadlines reuse `parse_opening_hours`.
"""

from __future__ import annotations

import re
from datetime import time
from itertools import pairwise

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

OpeningHours = dict[int, list[tuple[time, time]]]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_opening_hours(spec: str) -> OpeningHours:
    """Map every weekday (0 = Monday) to its sorted opening ranges; a closed day maps to [].

    Raises ValueError, naming the offending part, when the spec is empty or
    malformed: an unknown day, a backwards day range, a bad time, a range
    that ends before it starts, or two ranges on one day that overlap.
    """
    if not spec or not spec.strip():
        raise ValueError("Opening hours are empty: expected something like 'mon-fri 08:00-18:00; sat 09:00-13:00'.")
    hours: OpeningHours = {day: [] for day in range(7)}
    for entry in (part.strip() for part in spec.split(";")):
        if not entry:
            continue  # tolerate a trailing ";"
        pieces = entry.split()
        if len(pieces) != 2:
            raise ValueError(
                f"Opening hours entry {entry!r} must be '<days> <HH:MM-HH:MM>', e.g. 'mon-fri 08:00-18:00'."
            )
        days_part, ranges_part = pieces
        ranges = [_parse_range(item, entry) for item in ranges_part.split(",")]
        for day in _parse_days(days_part, entry):
            hours[day].extend(ranges)
    for day, ranges in hours.items():
        ranges.sort()
        for (_, previous_end), (start, _) in pairwise(ranges):
            if start < previous_end:
                raise ValueError(f"Opening hours overlap on {DAY_NAMES[day]} in {spec!r}.")
    if not any(hours.values()):
        raise ValueError(f"Opening hours {spec!r} list no open day.")
    return hours


def format_opening_hours(hours: OpeningHours) -> str:
    """Say the hours in words, like 'Monday to Friday 8:00 am - 6:00 pm, Saturday 9:00 am - 1:00 pm'.

    The times are joined by an en dash. Consecutive days with the same hours
    are grouped; closed days are left out.
    """
    groups: list[tuple[int, int, list[tuple[time, time]]]] = []
    for day in range(7):
        ranges = hours.get(day, [])
        if not ranges:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], day, ranges)
        else:
            groups.append((day, day, ranges))
    if not groups:
        return "Closed"
    return ", ".join(f"{_day_span(first, last)} {_ranges_text(ranges)}" for first, last, ranges in groups)


def opening_hours_text(spec: str) -> str:
    """The spec in words (see `format_opening_hours`); ValueError when it is malformed."""
    return format_opening_hours(parse_opening_hours(spec))


def _parse_days(text: str, entry: str) -> list[int]:
    days: list[int] = []
    for item in text.lower().split(","):
        first, _, last = item.partition("-")
        start, end = _day_index(first, entry), _day_index(last or first, entry)
        if end < start:
            raise ValueError(
                f"Day range {item!r} in {entry!r} runs backwards; write the days from Monday to Sunday, e.g. 'mon-fri'."
            )
        days.extend(range(start, end + 1))
    return days


def _day_index(code: str, entry: str) -> int:
    try:
        return DAY_CODES.index(code.strip())
    except ValueError:
        raise ValueError(f"Unknown day {code!r} in {entry!r}; use {', '.join(DAY_CODES)}.") from None


def _parse_range(text: str, entry: str) -> tuple[time, time]:
    start_text, dash, end_text = text.partition("-")
    if not dash:
        raise ValueError(f"Time range {text!r} in {entry!r} must look like '08:00-18:00'.")
    start, end = _parse_time(start_text, entry), _parse_time(end_text, entry)
    if end <= start:
        raise ValueError(f"Time range {text!r} in {entry!r} ends before it starts.")
    return start, end


def _parse_time(text: str, entry: str) -> time:
    match = _TIME.match(text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(f"Time {text!r} in {entry!r} must be a 24-hour HH:MM between 00:00 and 23:59.")


def _day_span(first: int, last: int) -> str:
    if first == last:
        return DAY_NAMES[first]
    if last == first + 1:
        return f"{DAY_NAMES[first]} and {DAY_NAMES[last]}"
    return f"{DAY_NAMES[first]} to {DAY_NAMES[last]}"


def _ranges_text(ranges: list[tuple[time, time]]) -> str:
    return " and ".join(f"{_clock(start)} \u2013 {_clock(end)}" for start, end in ranges)


def _clock(value: time) -> str:
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


def short_clock(value: time) -> str:
    """A time of day as people say it: '8 am', '8:30 am', '12 noon', '5 pm', '12 midnight'."""
    if value.minute == 0 and value.hour == 12:
        return "12 noon"
    if value.minute == 0 and value.hour == 0:
        return "12 midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes} {'am' if value.hour < 12 else 'pm'}"
