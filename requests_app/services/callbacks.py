"""The front desk's actions on a callback. The admin and the staff API both call these."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app.models import (
    CallAttempt,
    Callback,
    CallbackStatus,
    CallOutcome,
    ClosingReason,
    RequestStatus,
)
from requests_app.models.callbacks import FAILED_OUTCOMES, OPEN_CALLBACK_STATUSES, UNREACHABLE_AFTER_ATTEMPTS
from requests_app.services.notifications import notification_queue


class CallbackError(ValidationError):
    """An action that the callback's state does not allow, with a message for the desk."""


class AlreadyClaimed(CallbackError):
    def __init__(self, holder: AbstractUser) -> None:
        self.holder = holder
        name = holder.get_full_name() or holder.get_username()
        super().__init__(f"{name} is already working on this callback.")


def _locked(callback_id: int) -> Callback:
    # Only the callback row is locked and joined eagerly. A join on the
    # assignee would be read from before the lock wait on PostgreSQL: the
    # second of two claimers would see the new assignee id but no user.
    return Callback.objects.select_for_update(of=("self",)).select_related("request").get(pk=callback_id)


def _require_open(callback: Callback) -> None:
    if callback.status not in OPEN_CALLBACK_STATUSES:
        raise CallbackError(f"This callback is already {callback.get_status_display().lower()}.")


def _close_request(callback: Callback) -> None:
    request = callback.request
    request.status = RequestStatus.CLOSED
    request.save(update_fields=["status", "updated_at"])


def callback_claim(*, callback_id: int, user: AbstractUser) -> Callback:
    """Give the callback to `user`, unless someone else already holds it.

    The row lock makes two simultaneous claims take turns: the first wins,
    the second sees the first's name.
    """
    with transaction.atomic():
        callback = _locked(callback_id)
        _require_open(callback)
        if callback.assigned_to_id and callback.assigned_to_id != user.pk and callback.claimed_at:
            raise AlreadyClaimed(callback.assigned_to)
        callback.assigned_to = user
        callback.claimed_at = timezone.now()
        callback.status = CallbackStatus.IN_PROGRESS
        callback.save(update_fields=["assigned_to", "claimed_at", "status", "updated_at"])
    return callback


def callback_release(*, callback_id: int, user: AbstractUser, supervisor: bool = False) -> Callback:
    """Hand the callback back to the queue. Only its holder or a supervisor may."""
    with transaction.atomic():
        callback = _locked(callback_id)
        _require_open(callback)
        if callback.assigned_to_id and callback.assigned_to_id != user.pk and not supervisor:
            raise PermissionDenied("Only the person working on this callback or a supervisor can release it.")
        callback.assigned_to = None
        callback.claimed_at = None
        callback.status = CallbackStatus.NEW if callback.attempt_count == 0 else CallbackStatus.IN_PROGRESS
        callback.save(update_fields=["assigned_to", "claimed_at", "status", "updated_at"])
    return callback


def callback_reassign(*, callback_id: int, to_user: AbstractUser | None) -> Callback:
    """A supervisor moves the callback to someone else (or back to the queue)."""
    with transaction.atomic():
        callback = _locked(callback_id)
        _require_open(callback)
        callback.assigned_to = to_user
        callback.claimed_at = timezone.now() if to_user else None
        callback.save(update_fields=["assigned_to", "claimed_at", "updated_at"])
    return callback


def callback_log_attempt(
    *, callback_id: int, user: AbstractUser, outcome: str, note: str = "", made_at: datetime | None = None
) -> CallAttempt:
    """Record one call to the patient and what came of it."""
    if outcome not in CallOutcome.values:
        raise CallbackError("Choose what happened on the call.")
    with transaction.atomic():
        callback = _locked(callback_id)
        _require_open(callback)
        made_at = made_at or timezone.now()
        attempt = CallAttempt.objects.create(
            callback=callback, made_at=made_at, made_by=user, outcome=outcome, note=note
        )
        callback.attempt_count += 1
        callback.first_attempt_at = callback.first_attempt_at or made_at
        if callback.status == CallbackStatus.NEW:
            callback.status = CallbackStatus.IN_PROGRESS
        if not callback.assigned_to_id:
            callback.assigned_to, callback.claimed_at = user, made_at
        callback.save()
    return attempt


def callback_schedule(
    *,
    callback_id: int,
    user: AbstractUser,
    appointment_date: date,
    appointment_time: time,
    location: str,
    note: str = "",
) -> Callback:
    """Book the appointment, close the callback, and email the patient a confirmation."""
    if not location.strip():
        raise CallbackError("Say where the appointment is.")
    local_start = timezone.make_aware(datetime.combine(appointment_date, appointment_time))
    if local_start < timezone.now():
        raise CallbackError("The appointment must be in the future.")
    if local_start > timezone.now() + timedelta(days=366):
        raise CallbackError("Book at most a year ahead.")
    with transaction.atomic():
        callback = _locked(callback_id)
        _require_open(callback)
        callback.status = CallbackStatus.SCHEDULED
        callback.closing_reason = ClosingReason.SCHEDULED
        callback.closed_at = timezone.now()
        callback.appointment_date = appointment_date
        callback.appointment_time = appointment_time
        callback.appointment_location = location.strip()
        callback.appointment_note = note.strip()
        callback.assigned_to = callback.assigned_to or user
        callback.save()
        _close_request(callback)
        request = callback.request
        notification_queue(
            event="appointment_scheduled",
            recipient=request.email,
            request=request,
            scope=f"{appointment_date.isoformat()}T{appointment_time.isoformat()}",
        )
    return callback


def callback_mark_unreachable(*, callback_id: int, user: AbstractUser) -> Callback:
    """After three failed calls: stop calling, and email the patient how to reach the clinic."""
    with transaction.atomic():
        callback = _locked(callback_id)
        _require_open(callback)
        failed = callback.attempts.filter(outcome__in=FAILED_OUTCOMES).count()
        if failed < UNREACHABLE_AFTER_ATTEMPTS:
            raise CallbackError(
                f"Log {UNREACHABLE_AFTER_ATTEMPTS} failed call attempts before marking the patient unreachable "
                f"({failed} so far)."
            )
        callback.status = CallbackStatus.UNREACHABLE
        callback.closing_reason = ClosingReason.UNREACHABLE
        callback.closed_at = timezone.now()
        callback.save()
        _close_request(callback)
        notification_queue(event="patient_unreachable", recipient=callback.request.email, request=callback.request)
    return callback


def callback_close(*, callback_id: int, user: AbstractUser, reason: str, note: str = "") -> Callback:
    """Close the callback with a reason (declined, duplicate, not a patient...)."""
    if reason not in ClosingReason.values or reason in (ClosingReason.SCHEDULED, ClosingReason.UNREACHABLE):
        raise CallbackError("Choose why the callback is closed (scheduling and unreachable have their own buttons).")
    with transaction.atomic():
        callback = _locked(callback_id)
        _require_open(callback)
        callback.status = CallbackStatus.CLOSED
        callback.closing_reason = reason
        callback.closed_at = timezone.now()
        if note.strip():
            callback.appointment_note = note.strip()
        callback.save()
        _close_request(callback)
    return callback


def callback_reopen_with_better_time(
    *, request_id: int, best_time_slots: list[str], best_days: list[str], note: str = ""
) -> bool:
    """The patient we could not reach gives a better time: put them back on the queue, once.

    Returns False when there is nothing to change (the callback is already
    back on the queue or was closed for another reason).
    """
    from requests_app.business_hours import callback_due_at
    from requests_app.models import AppointmentRequest, RequestNote

    with transaction.atomic():
        request = AppointmentRequest.objects.select_for_update().get(pk=request_id)
        callback = Callback.objects.select_for_update().filter(request=request).first()
        if callback is None or callback.status != CallbackStatus.UNREACHABLE:
            return False
        request.best_time_slots = list(best_time_slots)
        request.best_days = list(best_days)
        request.status = RequestStatus.OPEN
        request.save(update_fields=["best_time_slots", "best_days", "status", "updated_at"])
        RequestNote.objects.create(
            request=request,
            kind=RequestNote.Kind.REPEAT_SUBMISSION,
            body="The patient gave a better time to call through the link in our email."
            + (f"\nTheir note: {note.strip()}" if note.strip() else ""),
        )
        now = timezone.now()
        callback.status = CallbackStatus.NEW
        callback.closing_reason = ""
        callback.closed_at = None
        callback.escalated_at = None
        callback.due_at = callback_due_at(
            received_at=now, priority=request.priority, best_time_slots=best_time_slots, best_days=best_days
        )
        callback.save()
    return True
