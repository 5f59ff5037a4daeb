"""The front desk's actions on a callback. The admin, the staff API and tasks all call these.

Each takes the acting user and asks `requests_app.policy` whether they may,
under the callback's row lock, so a claim and an action cannot cross.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from requests_app.deadlines import callback_due_at
from requests_app.models import (
    AppointmentRequest,
    CallAttempt,
    Callback,
    CallbackStatus,
    CallOutcome,
    ClosingReason,
    RequestNote,
    RequestStatus,
)
from requests_app.models.callbacks import UNREACHABLE_AFTER_ATTEMPTS
from requests_app.policy import Action, HeldByAnother, claim_lapse, is_front_desk, live_holder_id, require
from requests_app.services.notifications import notification_queue


class CallbackError(ValidationError):
    """An action that the callback's state does not allow, with a message for the desk."""


# A claim refused because a colleague holds the callback: the message names them and since when.
AlreadyClaimed = HeldByAnother


def _locked(callback_id: int, user: User | None = None) -> Callback:
    """The callback, locked after its request: the order the pipeline and a tier change lock them in.

    Locking the callback first would let a tier change (request, then
    callback) and a close (callback, then request) each wait for the other.
    Only the callback row is joined eagerly: a join on the assignee would be
    read from before the lock wait on PostgreSQL, and the second of two
    claimers would see the new assignee id but no user.
    """
    request_id = Callback.objects.values_list("request_id", flat=True).get(pk=callback_id)
    list(AppointmentRequest.objects.select_for_update().filter(pk=request_id).values_list("pk", flat=True))
    callback = Callback.objects.select_for_update(of=("self",)).select_related("request").get(pk=callback_id)
    if user is not None:
        # The history row names who acted, from a task or the API as from the admin.
        callback._history_user = user
    return callback


def _require_open(callback: Callback) -> None:
    if not callback.is_open:
        raise CallbackError(f"This callback is already {callback.get_status_display().lower()}.")


def _hold(callback: Callback, user: User, now: datetime) -> None:
    """`user` acts on the callback: they hold it from now (if they did not already) and were active now."""
    if callback.assigned_to_id != user.pk or live_holder_id(callback, now) is None:
        callback.assigned_to = user
        callback.claimed_at = now
    callback.holder_active_at = now


def _work(callback_id: int, user: User) -> tuple[Callback, datetime]:
    """Lock an open callback that `user` may work on now, and make them its holder."""
    callback = _locked(callback_id, user)
    now = timezone.now()
    require(user, Action.WORK, callback, now)
    _require_open(callback)
    _hold(callback, user, now)
    return callback, now


def _close_request(callback: Callback) -> None:
    request = callback.request
    request.status = RequestStatus.CLOSED
    request.save(update_fields=["status", "updated_at"])


def callback_claim(*, callback_id: int, user: User) -> Callback:
    """Give the callback to `user`, unless someone else already holds it.

    The row lock makes two simultaneous claims take turns: the first wins,
    the second sees the first's name.
    """
    with transaction.atomic():
        callback = _locked(callback_id, user)
        now = timezone.now()
        require(user, Action.CLAIM, callback, now)
        _require_open(callback)
        _hold(callback, user, now)
        callback.status = CallbackStatus.IN_PROGRESS
        callback.save(update_fields=["assigned_to", "claimed_at", "holder_active_at", "status", "updated_at"])
    return callback


def _unhold(callback: Callback) -> None:
    callback.assigned_to = None
    callback.claimed_at = None
    callback.holder_active_at = None
    callback.status = CallbackStatus.NEW if callback.attempt_count == 0 else CallbackStatus.IN_PROGRESS


def callback_release(*, callback_id: int, user: User) -> Callback:
    """Hand the callback back to the queue. Only its holder or a supervisor may (the policy says)."""
    with transaction.atomic():
        callback = _locked(callback_id, user)
        require(user, Action.RELEASE, callback)
        _require_open(callback)
        _unhold(callback)
        callback.save(update_fields=["assigned_to", "claimed_at", "holder_active_at", "status", "updated_at"])
    return callback


def callback_take_over(*, callback_id: int, user: User, reason: str) -> Callback:
    """A supervisor takes a colleague's callback, saying why; the history keeps who, from whom and why."""
    reason = reason.strip()
    if not reason:
        raise CallbackError({"reason": ["Say why you are taking it over: the colleague who held it will see it."]})
    with transaction.atomic():
        callback = _locked(callback_id, user)
        require(user, Action.TAKE_OVER, callback)
        _require_open(callback)
        previous = callback.assigned_to
        now = timezone.now()
        callback.assigned_to, callback.claimed_at, callback.holder_active_at = user, now, now
        callback.status = CallbackStatus.IN_PROGRESS
        held = f" from {previous.get_full_name() or previous.get_username()}" if previous else ""
        callback._change_reason = f"Taken over{held}: {reason}"[:100]
        callback.save(update_fields=["assigned_to", "claimed_at", "holder_active_at", "status", "updated_at"])
        _staff_note(
            callback, user, f"{user.get_full_name() or user.get_username()} took this callback over{held}: {reason}"
        )
    return callback


def callback_reassign(*, callback_id: int, user: User, to_user: User | None) -> Callback:
    """A supervisor gives the callback to someone on the front desk (or back to the queue)."""
    if to_user is not None and not is_front_desk(to_user):
        raise CallbackError("Give the callback to a member of the front desk.")
    with transaction.atomic():
        callback = _locked(callback_id, user)
        require(user, Action.REASSIGN, callback)
        _require_open(callback)
        now = timezone.now()
        if to_user is None:
            _unhold(callback)
        else:
            callback.assigned_to, callback.claimed_at, callback.holder_active_at = to_user, now, now
        callback._change_reason = f"Reassigned by {user.get_username()}"
        callback.save(update_fields=["assigned_to", "claimed_at", "holder_active_at", "status", "updated_at"])
    return callback


def callbacks_release_lapsed(*, now=None) -> int:
    """Put every callback whose claim lapsed (no activity by its holder) back on the queue. Returns how many.

    Each gets a history row saying why, so the holder can see what happened.
    """
    now = now or timezone.now()
    cutoff = now - claim_lapse()

    candidates = list(
        Callback.objects.open()
        .filter(assigned_to__isnull=False)
        .filter(Q(holder_active_at__lt=cutoff) | Q(holder_active_at__isnull=True, claimed_at__lt=cutoff))
        .values_list("pk", flat=True)[:500]
    )
    released = 0
    for callback_id in candidates:
        with transaction.atomic():
            callback = _locked(callback_id)
            if not callback.is_open or live_holder_id(callback, now) is not None or callback.assigned_to_id is None:
                continue  # its holder acted meanwhile
            _unhold(callback)
            minutes = int(claim_lapse().total_seconds() // 60)
            callback._change_reason = f"Claim lapsed after {minutes} min without activity"
            callback.save(update_fields=["assigned_to", "claimed_at", "holder_active_at", "status", "updated_at"])
            released += 1
    return released


def _staff_note(callback: Callback, user: User, body: str) -> None:
    RequestNote.objects.create(request=callback.request, kind=RequestNote.Kind.STAFF, body=body, author=user)


def callback_log_attempt(
    *, callback_id: int, user: User, outcome: str, note: str = "", made_at: datetime | None = None
) -> CallAttempt:
    """Record one call to the patient and what came of it."""
    if outcome not in CallOutcome.values:
        raise CallbackError("Choose what happened on the call.")
    with transaction.atomic():
        callback, now = _work(callback_id, user)
        made_at = made_at or now
        attempt = CallAttempt(callback=callback, made_at=made_at, made_by=user, outcome=outcome, note=note)
        attempt._history_user = user
        attempt.save()
        callback.attempt_count += 1
        callback.first_attempt_at = callback.first_attempt_at or made_at
        if callback.status == CallbackStatus.NEW:
            callback.status = CallbackStatus.IN_PROGRESS
        callback.save()
    return attempt


def callback_mark_unreachable(*, callback_id: int, user: User) -> Callback:
    """After three failed calls: stop calling, and email the patient how to reach the clinic."""
    with transaction.atomic():
        callback, _ = _work(callback_id, user)
        failed = callback.failed_attempts().count()
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


def callback_close(*, callback_id: int, user: User, reason: str, note: str = "") -> Callback:
    """Close the callback with a reason (declined, duplicate, not a patient...)."""
    if reason not in ClosingReason.values or reason in (ClosingReason.SCHEDULED, ClosingReason.UNREACHABLE):
        raise CallbackError("Choose why the callback is closed (scheduling and unreachable have their own buttons).")
    with transaction.atomic():
        callback, _ = _work(callback_id, user)
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
        # Back on the queue for anyone, with a fresh count toward "unreachable".
        callback.status = CallbackStatus.NEW
        callback.assigned_to = None
        callback.claimed_at = None
        callback.holder_active_at = None
        callback.attempt_count = 0
        callback.reopened_at = now
        callback.closing_reason = ""
        callback.closed_at = None
        callback.escalated_at = None
        callback.due_at = callback_due_at(
            received_at=now, priority=request.priority, best_time_slots=best_time_slots, best_days=best_days
        )
        callback.save()
    return True
