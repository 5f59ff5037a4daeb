"""The appointment's lifecycle: schedule, reschedule, cancel, and whether the patient came.

The admin, the staff API and tasks all call these. Each takes the acting
user and asks `requests_app.policy` under the callback's row lock (the same
lock, in the same order, as every other action on the callback):

- scheduling, rescheduling and cancelling are work on the callback
  (Action.WORK): its holder, or anyone on the desk once the claim lapsed;
  acting makes them the holder for the lapse period, so two people
  answering the patient's two calls cannot both move the appointment;
- attendance and no-shows are recorded by anyone on the desk
  (Action.RECORD_ATTENDANCE), and claim nothing.

Times are entered on the clinic's clock (settings.TIME_ZONE). An appointment
starts in the future, at most a year ahead, and starts and ends
(APPOINTMENT_MINUTES later) inside one opening period of a day the clinic is
open (no public holiday, no closure). A supervisor may book outside the
hours with a reason (Action.OVERRIDE_HOURS): the reason goes into the
history and a staff note. A clock time that does not exist on that day (the
hour skipped when the clocks go forward) is refused; one that happens twice
(when they go back) is the first of the two, daylight time, and every
email says which by its abbreviation.

Every change queues the patient's email once: its notification key holds
the appointment's UID and sequence, so a retried call finds the email
already queued, and a move to a new time (a new sequence) is a new email.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app.business_hours import clinic_opening_hours
from requests_app.deadlines import closed_dates_between
from requests_app.formatting import format_moment
from requests_app.models import (
    Appointment,
    AppointmentStatus,
    Callback,
    CallbackStatus,
    ClinicClosure,
    ClosingReason,
    Notification,
)
from requests_app.models.notifications import NotificationStatus
from requests_app.opening_hours import DAY_NAMES, format_opening_hours
from requests_app.policy import Action, require
from requests_app.services.callbacks import CallbackError, _close_request, _hold, _locked, _staff_note
from requests_app.services.notifications import notification_queue

BOOK_AHEAD_DAYS = 366
REASON_MAX_LENGTH = 1000
# simple_history keeps 100 characters of a change reason; the staff note keeps all of it.
CHANGE_REASON_MAX_LENGTH = 100
REMINDER_EVENT = "appointment_reminder"


class AppointmentError(CallbackError):
    """What the appointment's state does not allow (nothing booked, already cancelled...): a conflict, not bad input."""


# --- the clinic's clock and hours ------------------------------------------------------------


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day_text(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()]} {day.day} {day:%B %Y}"


def _clock(moment: datetime) -> str:
    return moment.strftime("%-I:%M %p").replace("AM", "am").replace("PM", "pm")


def appointment_start(appointment_date: date, appointment_time: time) -> datetime:
    """The moment a date and clock time on the clinic's clock mean, as an aware datetime.

    Raises ValidationError (on `appointment_time`) for a time the clocks skip
    that day. A time that happens twice is its first occurrence.
    """
    zone = clinic_zone()
    start = datetime.combine(appointment_date, appointment_time.replace(tzinfo=None, fold=0), zone)
    back = start.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != start.replace(tzinfo=None):
        before = datetime.combine(appointment_date, time(0), zone).tzname()
        after = datetime.combine(appointment_date, time(23, 59), zone).tzname()
        raise ValidationError(
            {
                "appointment_time": [
                    f"{_clock(start)} does not exist on {_day_text(appointment_date)}: the clocks go forward "
                    f"that night ({before} to {after}). Choose another time."
                ]
            }
        )
    return start


def _closure_name(day: date) -> str:
    """Why the clinic is closed on a day it usually opens: the holiday's name or the closure's reason."""
    closure = ClinicClosure.objects.filter(date=day).values_list("reason", flat=True).first()
    if closure:
        return closure
    clinic = settings.CLINIC
    names = holidays.country_holidays(
        clinic["HOLIDAYS_COUNTRY"], subdiv=clinic["HOLIDAYS_SUBDIVISION"] or None, years=day.year
    )
    return names.get(day, "") or "closed"


def opening_hours_problem(start: datetime, minutes: int) -> str:
    """Why an appointment from `start` for `minutes` falls outside the opening hours, naming that day's; "" if not."""
    zone = clinic_zone()
    local = start.astimezone(zone)
    day = local.date()
    hours = clinic_opening_hours()
    ranges = hours.get(day.weekday(), [])
    if not ranges:
        weekly = format_opening_hours(hours)
        return (
            f"The clinic is closed on {DAY_NAMES[day.weekday()]}s ({_day_text(day)}). "
            f"It is open {weekly} ({local.tzname()})."
        )
    if day in closed_dates_between(day, day):
        return f"The clinic is closed on {_day_text(day)} ({_closure_name(day)})."
    end = start + timedelta(minutes=minutes)
    periods = [(datetime.combine(day, opens, zone), datetime.combine(day, closes, zone)) for opens, closes in ranges]
    # Compared in UTC: two datetimes in one zone compare by their clock, which is wrong across a change of clocks.
    if any(opens.astimezone(UTC) <= start <= end <= closes.astimezone(UTC) for opens, closes in periods):
        return ""
    open_text = " and ".join(f"{_clock(opens)} \u2013 {_clock(closes)}" for opens, closes in periods)
    latest = [
        _clock((closes.astimezone(UTC) - timedelta(minutes=minutes)).astimezone(zone))
        for opens, closes in periods
        if closes - opens >= timedelta(minutes=minutes)
    ]
    latest_text = f" (the latest start is {latest[-1]})" if latest else ""
    return (
        f"On {_day_text(day)} the clinic is open {open_text} {periods[0][0].tzname()}: a {minutes}-minute "
        f"appointment must start and end inside those hours{latest_text}."
    )


def _checked_start(
    *, user: User, appointment_date: date, appointment_time: time, override_reason: str, now: datetime
) -> tuple[datetime, str]:
    """The start, refused unless it is bookable; and the override reason when the hours were overridden (else "")."""
    start = appointment_start(appointment_date, appointment_time)
    if start <= now:
        raise ValidationError({"appointment_date": ["The appointment must be in the future."]})
    if start > now + timedelta(days=BOOK_AHEAD_DAYS):
        raise ValidationError({"appointment_date": ["Book at most a year ahead."]})
    problem = opening_hours_problem(start, settings.APPOINTMENT_MINUTES)
    if not problem:
        return start, ""
    override_reason = (override_reason or "").strip()
    if not override_reason:
        raise ValidationError(
            {"appointment_time": [f"{problem} Only a supervisor can book outside them, giving a reason."]}
        )
    if len(override_reason) > REASON_MAX_LENGTH:
        raise ValidationError({"override_reason": [f"At most {REASON_MAX_LENGTH} characters."]})
    require(user, Action.OVERRIDE_HOURS)
    return start, override_reason


def _location(location: str, *, current: str = "") -> str:
    """One of the clinic's locations (settings.CLINIC_LOCATIONS); blank means the current one, or the only one."""
    location = (location or "").strip()
    places = list(settings.CLINIC_LOCATIONS)
    if not location:
        if current:
            return current
        if len(places) == 1:
            return places[0]
        raise ValidationError({"location": [f"Choose where: {'; '.join(places)}."]})
    if location not in places:
        raise ValidationError({"location": [f"Choose one of the clinic's locations: {'; '.join(places)}."]})
    return location


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > REASON_MAX_LENGTH:
        raise ValidationError({"note": [f"At most {REASON_MAX_LENGTH} characters."]})
    return note


# --- helpers under the lock ----------------------------------------------------------------------


def _latest(callback: Callback) -> Appointment | None:
    """The callback's most recent appointment, locked."""
    return Appointment.objects.select_for_update().filter(callback=callback).order_by("-created_at", "-id").first()


def _booked(callback: Callback) -> Appointment:
    appointment = _latest(callback)
    if appointment is None:
        raise AppointmentError("This callback has no appointment yet: schedule one.")
    if not appointment.is_booked:
        raise AppointmentError(
            f"This appointment is already {appointment.get_status_display().lower()}: schedule a new one if needed."
        )
    return appointment


def _new_uid(callback: Callback) -> str:
    """The calendar UID of the callback's next appointment: the first one's is built from the reference, as before."""
    host = settings.SITE_URL.split("://")[-1]
    count = Appointment.objects.filter(callback=callback).count()
    suffix = f"-{count + 1}" if count else ""
    return f"appointment-{callback.request.reference}{suffix}@{host}"


def _mirror(callback: Callback, appointment: Appointment) -> None:
    """Keep the callback's appointment fields (the queue, the change page, the API) showing the latest booking."""
    local = appointment.starts_at.astimezone(clinic_zone())
    callback.appointment_date = local.date()
    callback.appointment_time = local.time().replace(tzinfo=None)
    callback.appointment_location = appointment.location
    callback.appointment_note = appointment.note


def _save(instance: Appointment | Callback, user: User, reason: str = "", **kwargs: Any) -> None:
    """Save with the history row naming who (also outside a web request) and why."""
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:CHANGE_REASON_MAX_LENGTH]
    instance.save(**kwargs)


def _who(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _withdraw_reminders(callback: Callback) -> None:
    """Reminders not yet sent no longer hold: the appointment moved or ended. One being sent cannot be stopped."""
    Notification.objects.filter(
        request_id=callback.request_id,
        event=REMINDER_EVENT,
        status__in=(NotificationStatus.PENDING, NotificationStatus.FAILED),
    ).delete()


def _email(event: str, appointment: Appointment, callback: Callback, **extra) -> None:
    """Queue the patient's email about this state of the appointment (once: its UID and sequence are in the key)."""
    request = callback.request
    notification_queue(
        event=event,
        recipient=request.email,
        request=request,
        scope=f"{appointment.uid}#{appointment.sequence}",
        context={"appointment": appointment.snapshot(**extra)},
    )


def _record_override(callback: Callback, user: User, start: datetime, override: str, what: str) -> None:
    problem = opening_hours_problem(start, settings.APPOINTMENT_MINUTES)
    _staff_note(
        callback,
        user,
        f"{_who(user)} {what} the appointment for {format_moment(start)}, outside the opening hours, "
        f"giving this reason: {override}\n({problem})",
    )


# --- the actions ---------------------------------------------------------------------------


def appointment_schedule(
    *,
    callback_id: int,
    user: User,
    appointment_date: date,
    appointment_time: time,
    location: str = "",
    note: str = "",
    override_reason: str = "",
) -> Appointment:
    """Book the appointment and email the patient a confirmation with a calendar file.

    On an open callback it closes the callback as scheduled. On a scheduled
    callback whose appointment was cancelled or missed, it books a new one
    (with a calendar UID of its own). A callback with a booked appointment
    is refused: reschedule that one instead.
    """
    note = _note(note) or ""
    with transaction.atomic():
        callback = _locked(callback_id)
        now = timezone.now()
        require(user, Action.WORK, callback, now)
        latest = _latest(callback)
        first = callback.is_open
        if not first:
            if callback.status != CallbackStatus.SCHEDULED:
                raise CallbackError(f"This callback is already {callback.get_status_display().lower()}.")
            if latest is not None and latest.is_booked:
                raise AppointmentError(
                    f"The patient already has an appointment on {format_moment(latest.starts_at)}: "
                    "reschedule it instead."
                )
        start, override = _checked_start(
            user=user,
            appointment_date=appointment_date,
            appointment_time=appointment_time,
            override_reason=override_reason,
            now=now,
        )
        place = _location(location)
        _hold(callback, user, now)
        appointment = Appointment(
            callback=callback,
            uid=_new_uid(callback),
            starts_at=start,
            minutes=settings.APPOINTMENT_MINUTES,
            location=place,
            note=note,
            hours_override_reason=override,
        )
        reason = f"Booked outside opening hours: {override}" if override else ""
        _save(appointment, user, reason)
        if first:
            callback.status = CallbackStatus.SCHEDULED
            callback.closing_reason = ClosingReason.SCHEDULED
            callback.closed_at = now
        _mirror(callback, appointment)
        _save(callback, user, reason or ("Appointment booked" if first else "Booked again"))
        if first:
            _close_request(callback)
        if override:
            _record_override(callback, user, start, override, "booked")
        _email("appointment_scheduled", appointment, callback)
    return appointment


def appointment_reschedule(
    *,
    callback_id: int,
    user: User,
    appointment_date: date,
    appointment_time: time,
    location: str = "",
    note: str | None = None,
    override_reason: str = "",
) -> Appointment:
    """Move the booked appointment to a new time (or place), and email the patient the new one.

    The calendar file keeps the appointment's UID with a higher SEQUENCE, so
    the patient's calendar moves the event it has. A blank location keeps
    the current one, a note of None keeps the current note. Asking for the
    time and place it already has changes nothing and sends nothing (a
    retried request).
    """
    note = _note(note)
    with transaction.atomic():
        callback = _locked(callback_id)
        now = timezone.now()
        require(user, Action.WORK, callback, now)
        appointment = _booked(callback)
        start = appointment_start(appointment_date, appointment_time)
        place = _location(location, current=appointment.location)
        if start == appointment.starts_at and place == appointment.location:
            if note is not None and note != appointment.note:
                appointment.note = note
                _save(appointment, user, "Note changed")
            return appointment
        start, override = _checked_start(
            user=user,
            appointment_date=appointment_date,
            appointment_time=appointment_time,
            override_reason=override_reason,
            now=now,
        )
        previous = appointment.starts_at
        _hold(callback, user, now)
        appointment.starts_at = start
        appointment.minutes = settings.APPOINTMENT_MINUTES
        appointment.location = place
        if note is not None:
            appointment.note = note
        appointment.sequence += 1
        appointment.hours_override_reason = override
        moved = f"Rescheduled from {format_moment(previous)}"
        _save(appointment, user, f"Rescheduled outside opening hours: {override}" if override else moved)
        _mirror(callback, appointment)
        _save(callback, user, moved)
        _withdraw_reminders(callback)
        if override:
            _record_override(callback, user, start, override, "moved")
        _email("appointment_rescheduled", appointment, callback, previous_starts_at=previous)
    return appointment


def appointment_cancel(*, callback_id: int, user: User, reason: str) -> Appointment:
    """Cancel the booked appointment and email the patient (with a calendar file that removes it, and how to rebook).

    The reason is for the record (history and the appointment), never the
    email. Cancelling an appointment already cancelled changes nothing and
    sends nothing (a retried request).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the appointment is cancelled (who asked, and why)."]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [f"At most {REASON_MAX_LENGTH} characters."]})
    with transaction.atomic():
        callback = _locked(callback_id)
        now = timezone.now()
        require(user, Action.WORK, callback, now)
        latest = _latest(callback)
        if latest is not None and latest.status == AppointmentStatus.CANCELLED:
            return latest
        appointment = _booked(callback)
        _hold(callback, user, now)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.cancel_reason = reason
        appointment.sequence += 1
        _save(appointment, user, f"Cancelled: {reason}")
        _save(callback, user, "Appointment cancelled")
        _withdraw_reminders(callback)
        _email("appointment_cancelled", appointment, callback)
    return appointment


def _record_outcome(*, callback_id: int, user: User, outcome: str) -> Appointment:
    """Record whether the patient came. A correction (came after all, or did not) sends no second email."""
    with transaction.atomic():
        callback = _locked(callback_id)
        now = timezone.now()
        require(user, Action.RECORD_ATTENDANCE, callback, now)
        appointment = _latest(callback)
        recordable = (AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW, AppointmentStatus.ATTENDED)
        if appointment is None or appointment.status not in recordable:
            state = "no appointment" if appointment is None else "a cancelled appointment"
            raise AppointmentError(f"This callback has {state}: there is no attendance to record.")
        if appointment.status == outcome:
            return appointment
        zone = clinic_zone()
        if outcome == AppointmentStatus.NO_SHOW and now < appointment.starts_at:
            raise AppointmentError(
                f"The appointment is on {format_moment(appointment.starts_at)}: record a no-show once it has begun."
            )
        if (
            outcome == AppointmentStatus.ATTENDED
            and now.astimezone(zone).date() < appointment.starts_at.astimezone(zone).date()
        ):
            raise AppointmentError(
                f"The appointment is on {format_moment(appointment.starts_at)}: record attendance on the day."
            )
        first = appointment.status == AppointmentStatus.BOOKED
        label = AppointmentStatus(outcome).label.lower()
        appointment.status = outcome
        appointment.outcome_at = now
        _save(appointment, user, f"Recorded: {label}" if first else f"Corrected to {label} by {_who(user)}")
        _withdraw_reminders(callback)
        if first:
            event = "appointment_missed" if outcome == AppointmentStatus.NO_SHOW else "appointment_attended"
            _email(event, appointment, callback)
    return appointment


def appointment_mark_no_show(*, callback_id: int, user: User) -> Appointment:
    """The patient did not come: record it (from the appointment's start on) and email them, kindly, how to rebook."""
    return _record_outcome(callback_id=callback_id, user=user, outcome=AppointmentStatus.NO_SHOW)


def appointment_mark_attended(*, callback_id: int, user: User) -> Appointment:
    """The patient came: record it (on the appointment's day or later) and send a short thank-you."""
    return _record_outcome(callback_id=callback_id, user=user, outcome=AppointmentStatus.ATTENDED)


# --- reminders -----------------------------------------------------------------------------------


def appointments_due_reminders(*, day: date) -> list[int]:
    """Ids of the appointments booked (not cancelled, missed or attended) to start on `day`, on the clinic's clock."""
    zone = clinic_zone()
    first = datetime.combine(day, time(0), zone)
    last = datetime.combine(day + timedelta(days=1), time(0), zone)
    return list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, starts_at__gte=first, starts_at__lt=last)
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )


def appointment_queue_reminder(*, appointment_id: int) -> bool:
    """Queue the reminder for the appointment's current time, once; nothing if it is no longer booked.

    Keyed by UID and sequence: a reminder sent for an earlier time does not
    stop the one for the new time.
    """
    callback_id = Appointment.objects.filter(pk=appointment_id).values_list("callback_id", flat=True).first()
    if callback_id is None:
        return False
    with transaction.atomic():
        # The callback's locks first, in the order every action takes them: a cancellation at this
        # moment either comes first (and this finds nothing booked) or waits for this reminder and
        # withdraws it.
        callback = _locked(callback_id)
        appointment = (
            Appointment.objects.select_for_update().filter(pk=appointment_id, status=AppointmentStatus.BOOKED).first()
        )
        if appointment is None:
            return False
        request = callback.request
        notification = notification_queue(
            event=REMINDER_EVENT,
            recipient=request.email,
            request=request,
            scope=f"{appointment.uid}#{appointment.sequence}",
            context={"appointment": appointment.snapshot()},
        )
        return notification is not None
