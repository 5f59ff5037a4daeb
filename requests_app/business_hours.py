"""Business hours: when the clinic is open, and the patient's best time to call as the clinic keeps it.

The clinic's opening hours and time zone, the public holidays of its region
and a set of closed dates make a `BusinessCalendar`, which answers "is it
open?", "when does it next open?" and "what is one business hour or day
after this moment?". The callback deadlines built on it, with the closures
entered in the admin, are in `requests_app.deadlines`; what they return
(`CallbackTiming`) is here, so that pages can say it without the database.

The best time is what the clinic keeps of it (`keep_best_time`): a day the
clinic never opens, or a slot it is never open in, is left out (whatever the
form or the API let through), and a preference with nothing left is no
preference. The form offers only what the opening hours keep
(`slot_choices`, `day_choices`), with each slot's real hours in its label.

No database here: the same rules serve the form, the deadlines and the way
pages and emails say a best time (`requests_app.formatting`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from requests_app.opening_hours import DAY_CODES, DAY_NAMES, OpeningHours, parse_opening_hours, short_clock


@dataclass(frozen=True)
class Slot:
    """A time of day a patient can ask to be called in; on a given day it is its overlap with the opening hours."""

    code: str
    name: str
    # How a sentence says it: "we will call you in the morning".
    phrase: str
    start: time
    end: time


# The first and last slots run to the ends of the day, so that a clinic
# opening at 7 or closing at 9 pm offers those hours too.
SLOTS: tuple[Slot, ...] = (
    Slot("morning", "Morning", "in the morning", time(0), time(12)),
    Slot("midday", "Midday", "at midday", time(12), time(14)),
    Slot("afternoon", "Afternoon", "in the afternoon", time(14), time(17)),
    Slot("evening", "Evening", "in the evening", time(17), time.max),
)
SLOTS_BY_CODE = {slot.code: slot for slot in SLOTS}

# A preferred window with less than this left is too short to plan a call in.
MIN_USEFUL_WINDOW = timedelta(minutes=30)
SEARCH_DAYS = 21


def clinic_opening_hours() -> OpeningHours:
    """The clinic's weekly opening hours (settings.CLINIC["OPENING_HOURS"], checked at start-up)."""
    return _parsed_hours(settings.CLINIC["OPENING_HOURS"])


@lru_cache(maxsize=8)
def _parsed_hours(spec: str) -> OpeningHours:
    return parse_opening_hours(spec)


def _length(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


def open_weekdays(hours: OpeningHours) -> list[int]:
    """The weekdays (0 = Monday) with any opening hours."""
    return [day for day in range(7) if hours.get(day)]


def slot_span(hours: OpeningHours, code: str, weekdays: Iterable[int]) -> tuple[time, time] | None:
    """The hours of a slot the clinic is open on those weekdays (earliest start, latest end).

    None when the clinic is never open in it, or never for long enough to plan a call.
    """
    slot = SLOTS_BY_CODE[code]
    spans = [
        (max(start, slot.start), min(end, slot.end))
        for day in weekdays
        for start, end in hours.get(day, [])
        if _length(max(start, slot.start), min(end, slot.end)) >= MIN_USEFUL_WINDOW
    ]
    if not spans:
        return None
    return min(start for start, _ in spans), max(end for _, end in spans)


def slot_label(hours: OpeningHours, code: str) -> str:
    """ "Morning (8 am to 12 noon)": the slot with the hours the clinic is open in it."""
    slot = SLOTS_BY_CODE[code]
    span = slot_span(hours, code, open_weekdays(hours))
    if span is None:
        return slot.name
    return f"{slot.name} ({short_clock(span[0])} to {short_clock(span[1])})"


def slot_choices(hours: OpeningHours) -> list[tuple[str, str]]:
    """The slots the clinic is open in, labelled with their real hours."""
    days = open_weekdays(hours)
    return [(slot.code, slot_label(hours, slot.code)) for slot in SLOTS if slot_span(hours, slot.code, days)]


def day_choices(hours: OpeningHours) -> list[tuple[str, str]]:
    """The weekdays the clinic opens on."""
    return [(DAY_CODES[day], DAY_NAMES[day]) for day in open_weekdays(hours)]


@dataclass(frozen=True)
class BestTime:
    """What the patient asked for, and what of it the clinic keeps."""

    asked_slots: tuple[str, ...] = ()
    asked_days: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()
    days: tuple[str, ...] = ()

    @property
    def asked(self) -> bool:
        return bool(self.asked_slots or self.asked_days)

    @property
    def kept(self) -> bool:
        return bool(self.slots or self.days)

    @property
    def closed_days(self) -> tuple[str, ...]:
        """Days asked for that the clinic never opens on."""
        return tuple(day for day in self.asked_days if day not in self.days)

    @property
    def closed_slots(self) -> tuple[str, ...]:
        """Slots asked for that the clinic is never open in (on the days kept)."""
        return tuple(slot for slot in self.asked_slots if slot not in self.slots)


def keep_best_time(hours: OpeningHours, slots: Iterable[str], days: Iterable[str]) -> BestTime:
    """The patient's best time without the days and slots the clinic is never open in.

    Unknown codes are ignored. A slot is kept when the clinic is open in it
    for at least MIN_USEFUL_WINDOW on one of the days kept (any open day, when
    none is). Codes come back once each, in the week's and the day's order.
    """
    wanted_slots, wanted_days = set(slots), set(days)
    asked_slots = tuple(slot.code for slot in SLOTS if slot.code in wanted_slots)
    asked_days = tuple(code for code in DAY_CODES if code in wanted_days)
    open_days = set(open_weekdays(hours))
    kept_days = tuple(code for code in asked_days if DAY_CODES.index(code) in open_days)
    weekdays = [DAY_CODES.index(code) for code in kept_days] or sorted(open_days)
    kept_slots = tuple(code for code in asked_slots if slot_span(hours, code, weekdays))
    return BestTime(asked_slots=asked_slots, asked_days=asked_days, slots=kept_slots, days=kept_days)


@dataclass(frozen=True)
class CallbackTiming:
    """When the call is due, when it would be due without a best time, and the best time as kept."""

    due_at: datetime
    usual_due_at: datetime
    best_time: BestTime

    @property
    def later_for_best_time(self) -> bool:
        """The patient's best time put the call on a later day than the clinic's usual deadline.

        (A few hours later on the same day is what the patient asked for, and needs no explaining.)
        """
        return self.due_at.date() > self.usual_due_at.astimezone(self.due_at.tzinfo).date()


@dataclass(frozen=True)
class BusinessCalendar:
    hours: dict[int, list[tuple[time, time]]]
    tz: ZoneInfo
    closed_dates: frozenset[date]

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open periods of `day`, as aware datetimes; none on a closed day."""
        if day in self.closed_dates:
            return []
        return [
            (datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz))
            for start, end in self.hours.get(day.weekday(), [])
        ]

    def open_periods(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open periods from `start` on, the first one cut at `start`."""
        local = start.astimezone(self.tz)
        for offset in range(SEARCH_DAYS):
            for period_start, period_end in self.periods_on(local.date() + timedelta(days=offset)):
                if period_end > local:
                    yield max(period_start, local), period_end

    def is_open(self, moment: datetime) -> bool:
        return any(start <= moment < end for start, end in self.periods_on(moment.astimezone(self.tz).date()))

    def next_open(self, moment: datetime) -> datetime:
        """`moment` if the clinic is open then, else the next opening."""
        for start, _ in self.open_periods(moment):
            return start
        raise ValueError("The clinic has no opening hours in the next three weeks.")

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of opening time after `start`."""
        remaining = duration
        for period_start, period_end in self.open_periods(start):
            if period_start + remaining <= period_end:
                return period_start + remaining
            remaining -= period_end - period_start
        raise ValueError("The clinic has no opening hours in the next three weeks.")

    def next_business_day(self, start: datetime) -> datetime:
        """The same clock time on the next open day after `start`'s, inside that day's hours."""
        local = start.astimezone(self.tz)
        for offset in range(1, SEARCH_DAYS):
            periods = self.periods_on(local.date() + timedelta(days=offset))
            if not periods:
                continue
            target = datetime.combine(periods[0][0].date(), local.time(), self.tz)
            for period_start, period_end in periods:
                if target < period_start:
                    return period_start
                if target <= period_end:
                    return target
            return periods[-1][1]
        raise ValueError("The clinic has no opening hours in the next three weeks.")

    def preferred_windows(
        self, start: datetime, slots: Iterable[str], days: Iterable[str]
    ) -> Iterator[tuple[datetime, datetime]]:
        """Open periods from `start` that fall in the patient's preferred slots and days."""
        slot_ranges = [(SLOTS_BY_CODE[s].start, SLOTS_BY_CODE[s].end) for s in slots if s in SLOTS_BY_CODE] or [
            (time(0), time.max)
        ]
        weekdays = {DAY_CODES.index(d) for d in days if d in DAY_CODES} or set(range(7))
        for period_start, period_end in self.open_periods(start):
            if period_start.weekday() not in weekdays:
                continue
            day = period_start.date()
            for slot_start, slot_end in sorted(slot_ranges):
                window_start = max(period_start, datetime.combine(day, slot_start, self.tz))
                window_end = min(period_end, datetime.combine(day, slot_end, self.tz))
                if window_end - window_start >= MIN_USEFUL_WINDOW:
                    yield window_start, window_end


@lru_cache(maxsize=32)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """A year's public holidays (computing them costs milliseconds, so once per process)."""
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))
