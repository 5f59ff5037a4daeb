"""Business hours and callback deadlines.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from clinic.opening_hours import DAY_CODES, DAY_NAMES, parse_opening_hours

# The patient's best time to call, as time-of-day slots (clinic's local time).
TIME_SLOTS: dict[str, tuple[str, time, time]] = {
    "morning": ("Morning (8 am to 12 noon)", time(8), time(12)),
    "midday": ("Midday (12 noon to 2 pm)", time(12), time(14)),
    "afternoon": ("Afternoon (2 pm to 5 pm)", time(14), time(17)),
    "evening": ("Early evening (5 pm to 8 pm)", time(17), time(20)),
}
TIME_SLOT_CHOICES = [(code, label) for code, (label, _, _) in TIME_SLOTS.items()]
DAY_CHOICES = list(zip(DAY_CODES, DAY_NAMES, strict=True))

EMERGENCY_WITHIN = timedelta(minutes=15)
URGENT_WITHIN = timedelta(hours=1)
# A preferred window with less than this left is too short to plan a call in.
MIN_USEFUL_WINDOW = timedelta(minutes=30)
SEARCH_DAYS = 21


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
        slot_ranges = [TIME_SLOTS[s][1:] for s in slots if s in TIME_SLOTS] or [(time(0), time(23, 59, 59))]
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


def closed_dates_between(first: date, last: date) -> frozenset[date]:
    """Public holidays of the clinic's region and closures entered in the admin."""
    from requests_app.models import ClinicClosure

    clinic = settings.CLINIC
    public = {
        day
        for year in range(first.year, last.year + 1)
        for day in public_holidays(clinic["HOLIDAYS_COUNTRY"], clinic["HOLIDAYS_SUBDIVISION"], year)
        if first <= day <= last
    }
    extra = set(ClinicClosure.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    return frozenset(public | extra)


def clinic_calendar(around: datetime) -> BusinessCalendar:
    """The clinic's calendar for the weeks after `around`."""
    tz = ZoneInfo(settings.TIME_ZONE)
    first = around.astimezone(tz).date() - timedelta(days=1)
    return BusinessCalendar(
        hours=parse_opening_hours(settings.CLINIC["OPENING_HOURS"]),
        tz=tz,
        closed_dates=closed_dates_between(first, first + timedelta(days=SEARCH_DAYS + 2)),
    )


def callback_due_at(
    *,
    received_at: datetime,
    priority: str,
    best_time_slots: Iterable[str] = (),
    best_days: Iterable[str] = (),
    calendar: BusinessCalendar | None = None,
) -> datetime:
    """When the front desk must have called the patient back."""
    calendar = calendar or clinic_calendar(received_at)
    if priority == "emergency":
        if calendar.is_open(received_at):
            return received_at + EMERGENCY_WITHIN
        return calendar.next_open(received_at)
    start = calendar.next_open(received_at)
    if priority == "urgent":
        # Red flags: no waiting for the patient's preferred time.
        return calendar.add_business_time(start, URGENT_WITHIN)
    slots, days = list(best_time_slots), list(best_days)
    if slots or days:
        for _, window_end in calendar.preferred_windows(start, slots, days):
            return window_end
    return calendar.next_business_day(start)
