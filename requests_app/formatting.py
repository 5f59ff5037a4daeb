"""How times and waits are written for people: one clock, the clinic's, with its abbreviation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from requests_app.business_hours import SLOTS_BY_CODE, CallbackTiming, clinic_opening_hours, keep_best_time, slot_label
from requests_app.opening_hours import DAY_CODES, DAY_NAMES


def duration_text(duration: timedelta | None) -> str:
    """A wait in words a supervisor reads at a glance: "under a minute", "25 min", "3 h 10 min", "2 d 4 h"."""
    if duration is None:
        return "no calls yet"
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def clinic_local(moment: datetime) -> datetime:
    """The moment on the clinic's clock (settings.TIME_ZONE), whatever zone it was stored in."""
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))


def _clock(local: datetime) -> str:
    return local.strftime("%-I:%M %p").replace("AM", "am").replace("PM", "pm")


def clinic_time(moment: datetime) -> str:
    """ "10:12 am EST": a time of day on the clinic's clock, with its abbreviation (EST or EDT)."""
    local = clinic_local(moment)
    return f"{_clock(local)} {local.tzname()}"


def format_moment(moment: datetime) -> str:
    """ "Tuesday 24 November at 10:15 am EST": a day and time as a patient or the desk reads it."""
    local = clinic_local(moment)
    return f"{local.strftime('%A %-d %B')} at {_clock(local)} {local.tzname()}"


def _or_list(items: list[str]) -> str:
    """ "Monday", "Monday or Tuesday", "Monday, Tuesday or Friday"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def best_time_phrase(slots: tuple[str, ...], days: tuple[str, ...], *, plural_days: bool = False) -> str:
    """ "on Tuesday or Thursday in the morning": a best time to call as a sentence says it."""
    names = [DAY_NAMES[DAY_CODES.index(day)] + ("s" if plural_days else "") for day in days]
    parts = []
    if names:
        parts.append(f"on {_or_list(names)}")
    if slots:
        parts.append(_or_list([SLOTS_BY_CODE[slot].phrase for slot in slots]))
    return " ".join(parts)


def best_time_text(slots: Iterable[str], days: Iterable[str], *, short: bool = False) -> str:
    """The patient's best time to call as the clinic keeps it: "Morning (8 am to 12 noon) on Tuesday or Thursday".

    Each slot with the hours the clinic is open in it; days and slots the
    clinic is never open in are left out (`business_hours.keep_best_time`).
    `short`: "Morning · Tue, Thu" for the queue. "any time we are open" when
    nothing is left ("any time", short).
    """
    hours = clinic_opening_hours()
    kept = keep_best_time(hours, slots or (), days or ())
    if not kept.kept:
        return "any time" if short else "any time we are open"
    day_names = [DAY_NAMES[DAY_CODES.index(day)] for day in kept.days]
    if short:
        slot_names = [SLOTS_BY_CODE[code].name for code in kept.slots]
        return " · ".join(part for part in (", ".join(slot_names), ", ".join(day[:3] for day in day_names)) if part)
    text = " or ".join(slot_label(hours, code) for code in kept.slots)
    if day_names:
        text = f"{text} on {' or '.join(day_names)}" if text else f"on {' or '.join(day_names)}"
    return text


def best_time_note(timing: CallbackTiming) -> str:
    """One sentence on why the call comes when it does, when the patient's best time changed it; else "".

    "That is later than our usual one working day because you asked us to call
    on Thursday in the morning." or, for a time the clinic is never open, "We are
    not open on Sundays, so we will call you in the evening instead."
    """
    best_time = timing.best_time
    if not best_time.asked:
        return ""
    if best_time.closed_days or best_time.closed_slots:
        closed = best_time_phrase(best_time.closed_slots, best_time.closed_days, plural_days=True)
        if best_time.closed_slots and best_time.days and not best_time.closed_days:
            closed = f"{closed} {best_time_phrase((), best_time.days, plural_days=True)}"
        if best_time.kept:
            instead = f"we will call you {best_time_phrase(best_time.slots, best_time.days)} instead"
        else:
            instead = "we will call you during our opening hours instead"
        return f"We are not open {closed}, so {instead}."
    if timing.later_for_best_time:
        return (
            "That is later than our usual one working day because you asked us to call "
            f"{best_time_phrase(best_time.slots, best_time.days)}."
        )
    return ""


def clinic_zone_abbreviation(moment: datetime | None = None) -> str:
    """ "EST" or "EDT": the abbreviation of the clinic's clock at `moment` (now by default)."""
    return clinic_local(moment or timezone.now()).tzname() or settings.TIME_ZONE


def short_moment(moment: datetime, *, now: datetime | None = None) -> str:
    """ "Tue 1 Dec, 10:12 am EST": a moment in a staff list or table, on the clinic's clock.

    The year is added when it is not the current one ("Mon 30 Nov 2025, 4:05 pm EST").
    """
    local = clinic_local(moment)
    year = f" {local.year}" if local.year != clinic_local(now or timezone.now()).year else ""
    return f"{local.strftime('%a %-d %b')}{year}, {_clock(local)} {local.tzname()}"
