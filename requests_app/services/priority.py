"""A supervisor overrides triage's tier, with a reason that stays on the record.

Triage only ever raises a request; this is the one way a tier goes down,
and a supervisor's way to raise one that triage missed.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from requests_app.deadlines import callback_due_at
from requests_app.models import AppointmentRequest, Callback, Priority, RequestNote
from requests_app.models.intake import PRIORITY_RANK
from requests_app.policy import SUPERVISOR_ONLY, Action, require
from requests_app.services.callbacks import CallbackError
from requests_app.services.notifications import notification_queue_for_request
from requests_app.services.pipeline import staff_alerts

REASON_MAX_LENGTH = 1000
# simple_history's change-reason column holds 100 characters; the note keeps the whole reason.
CHANGE_REASON_MAX_LENGTH = 100

NOT_SUPERVISOR = SUPERVISOR_ONLY[Action.CHANGE_TIER]
REASON_REQUIRED = "Say why the tier changes: the reason is kept with the request."
UNKNOWN_TIER = "Choose emergency, urgent or routine."


def _change_reason(text: str) -> str:
    return text if len(text) <= CHANGE_REASON_MAX_LENGTH else text[: CHANGE_REASON_MAX_LENGTH - 1] + "…"


def request_change_priority(*, request_id: int, actor: User, priority: str, reason: str) -> AppointmentRequest:
    """Set the request's tier (and its open callback's) to `priority`, recording who did it and why.

    Only a supervisor may, and only with a reason. The callback's due time is
    worked out again from when the request arrived: a lower tier takes the
    new, later time; a higher one the earlier of the current and the new.
    The change is written as a note on the request and as the history rows'
    change reason. Raising the tier queues that tier's alert to everyone on
    shift and every supervisor, as the pipeline does for a new request.

    Raises NotAllowed (a PermissionDenied) for anyone but a supervisor, ValidationError for
    a missing reason or an unknown or unchanged tier, and CallbackError when
    the callback is no longer open.
    """
    require(actor, Action.CHANGE_TIER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX_LENGTH} characters."})
    if priority not in Priority.values:
        raise ValidationError({"priority": UNKNOWN_TIER})
    new = Priority(priority)

    with transaction.atomic():
        # The request first, then its callback: the order the pipeline locks them in.
        request = AppointmentRequest.objects.select_for_update().get(pk=request_id)
        callback = Callback.objects.select_for_update().filter(request=request).first()
        if callback is not None and not callback.is_open:
            raise CallbackError(
                f"This callback is already {callback.get_status_display().lower()}: its tier no longer changes."
            )
        old = Priority(request.priority)
        if new == old:
            raise ValidationError({"priority": f"The request is already {old.label.lower()}."})
        raised = PRIORITY_RANK[new] < PRIORITY_RANK[old]
        text = f"Tier changed from {old.label.lower()} to {new.label.lower()} by {actor.get_username()}: {reason}"

        request.priority = new
        request._change_reason = _change_reason(text)
        request._history_user = actor
        request.save(update_fields=["priority", "updated_at"])
        RequestNote.objects.create(request=request, kind=RequestNote.Kind.PRIORITY_CHANGE, author=actor, body=text)

        if callback is not None:
            due_at = callback_due_at(
                received_at=request.created_at,
                priority=new,
                best_time_slots=request.best_time_slots,
                best_days=request.best_days,
            )
            callback.priority = new
            callback.due_at = min(callback.due_at, due_at) if raised else due_at
            callback._change_reason = _change_reason(text)
            callback._history_user = actor
            callback.save(update_fields=["priority", "due_at", "updated_at"])

        if raised:
            # The same (event, request, recipient) keys as the pipeline's: an alert already sent is not sent again.
            notification_queue_for_request(request=request, emails=staff_alerts(new))
    return request
