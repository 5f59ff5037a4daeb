"""From an accepted request to a callback on the front desk's queue."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from requests_app.deadlines import callback_due_at
from requests_app.models import AppointmentRequest, Callback, PipelineRecord, PipelineStatus, RequestStatus
from requests_app.models.callbacks import StaffProfile
from requests_app.models.intake import higher_priority
from requests_app.policy import front_desk_users, supervisor_users
from requests_app.services.broker import publish
from requests_app.services.notifications import notification_queue_for_request

logger = logging.getLogger(__name__)

# A record the web could not publish (Redis was down) is re-published soon;
# one published but not yet processed may just be waiting behind a backlog,
# so it gets longer before a second message is sent.
REPUBLISH_UNPUBLISHED_AFTER = timedelta(seconds=15)
REPUBLISH_UNPROCESSED_AFTER = timedelta(minutes=2)
# What the admin shows on a record whose task the worker stopped half-way.
HANDED_BACK = "handed back: the worker stopped or dropped the task before it finished (it lost Redis or was shut down)"


def pipeline_publish(record_id: int, request_id: int, *, marked: bool = False) -> bool:
    """Hand a request to Celery. False if the broker could not take it or was not tried (the outbox covers both).

    The record says which: `published_at` is set when the broker took it and
    cleared when it did not, so that beat sends it once it is
    REPUBLISH_UNPUBLISHED_AFTER old. `marked`: the record was written as
    published (`pipeline_record_create`), so a success writes nothing.
    """
    from requests_app.tasks import process_new_request  # noqa: PLC0415 (tasks call services: see tests/test_layers.py)

    if publish(process_new_request, request_id, fallback="the outbox will re-publish it"):
        if not marked:
            PipelineRecord.objects.filter(pk=record_id).update(published_at=timezone.now())
        return True
    try:
        PipelineRecord.objects.filter(pk=record_id, published_at__isnull=False).update(published_at=None)
    except DatabaseError:
        # After a commit, the request is stored and its answer must still go out: beat sends a record
        # still marked published once REPUBLISH_UNPROCESSED_AFTER has passed.
        logger.warning("could not mark pipeline record %s unpublished; beat sends it later", record_id)
    return False


def pipeline_record_create(*, request: AppointmentRequest) -> PipelineRecord:
    """The request's outbox record, written in the caller's transaction, and its publish once that commits.

    The record is written as published, because the publish after the
    commit almost always succeeds: the submission then writes nothing more
    (it used to UPDATE the record after the publish, a second write in every
    submission). A publish that fails or is not tried (the circuit is open)
    clears `published_at` (`pipeline_publish`), so beat sends the record as
    before. If the process dies between the commit and the publish, the
    record looks published and beat sends it once it is
    REPUBLISH_UNPROCESSED_AFTER old: later, never lost.
    """
    record = PipelineRecord.objects.create(request=request, published_at=timezone.now())
    record_id, request_id = record.pk, request.pk
    transaction.on_commit(lambda: pipeline_publish(record_id, request_id, marked=True))
    return record


def pipeline_publish_on_commit(record: PipelineRecord) -> None:
    """Publish once the surrounding transaction commits; never if it rolls back."""
    record_id, request_id = record.pk, record.request_id
    transaction.on_commit(lambda: pipeline_publish(record_id, request_id))


def pipeline_republish_stale(*, older_than: timedelta | None = None) -> int:
    """Re-publish every pipeline record still pending: never published, or published long ago.

    `older_than` overrides both waits. Returns how many were published.
    """
    now = timezone.now()
    unpublished_cutoff = now - (older_than if older_than is not None else REPUBLISH_UNPUBLISHED_AFTER)
    unprocessed_cutoff = now - (older_than if older_than is not None else REPUBLISH_UNPROCESSED_AFTER)
    stale = (
        PipelineRecord.objects.filter(status=PipelineStatus.PENDING)
        .filter(
            Q(published_at__isnull=True, created_at__lt=unpublished_cutoff)
            | Q(created_at__lt=unprocessed_cutoff, published_at__lt=unprocessed_cutoff)
        )
        .order_by("created_at")
        .values_list("pk", "request_id")
    )
    published = 0
    for record_id, request_id in stale[:500]:
        if not pipeline_publish(record_id, request_id):
            break  # the broker is still down: try again at the next beat
        published += 1
    return published


def _next_on_shift_staff():
    """Round-robin: the on-shift front-desk member who was given a callback longest ago."""
    return (
        StaffProfile.objects.select_for_update(of=("self",))
        .filter(on_shift=True, user__in=front_desk_users())
        .order_by(F("last_assigned_at").asc(nulls_first=True), "pk")
        .select_related("user")
        .first()
    )


# The alert each raised tier sends to the desk and the supervisors.
ALERT_EVENTS = {"emergency": "emergency_alert", "urgent": "urgent_alert"}


def staff_alerts(priority: str) -> list[tuple[str, str]]:
    """(event, address) of the alert a request of `priority` sends at once, day or night; none for routine."""
    event = ALERT_EVENTS.get(priority)
    return [(event, email) for email in staff_alert_recipients()] if event else []


def staff_alert_recipients() -> list[str]:
    """On-shift front desk, every supervisor and every superuser: who hears about a raised request at once."""
    on_shift = front_desk_users().filter(staff_profile__on_shift=True)
    users = (on_shift | supervisor_users()).exclude(email="").values_list("email", flat=True)
    return sorted(set(users))


def _callback_create(request: AppointmentRequest, due_at) -> tuple[Callback, bool]:
    """The request's callback, created assigned to the next on-shift front-desk member if it is new.

    One insert (with its history row) for a new callback; a repeat run finds
    the existing one through the one-callback-per-request constraint.
    """
    staff = _next_on_shift_staff()
    now = timezone.now()
    try:
        with transaction.atomic():
            callback = Callback.objects.create(
                request=request,
                priority=request.priority,
                due_at=due_at,
                assigned_to=staff.user if staff else None,
                claimed_at=now if staff else None,
            )
    except IntegrityError:
        return Callback.objects.get(request=request), False
    if staff is not None:
        # Round-robin bookkeeping, not a change anyone made: no history row.
        StaffProfile.objects.filter(pk=staff.pk).update(last_assigned_at=now)
    return callback, True


def request_process(*, request_id: int) -> Callback | None:
    """Turn an accepted request into a callback, assign it and queue its emails. Idempotent.

    Running it again for the same request creates nothing new: one callback
    per request (a database constraint), one notification per key. If the
    request's tier has risen since its callback was made (a repeat
    submission), the callback is raised to it, never lowered, and the alert
    of the new tier goes out.
    """
    with transaction.atomic():
        try:
            request = AppointmentRequest.objects.select_for_update().get(pk=request_id)
        except AppointmentRequest.DoesNotExist:
            return None
        if request.status == RequestStatus.MERGED:
            _merged_submission_process(request)
            return None
        due_at = callback_due_at(
            received_at=request.created_at,
            priority=request.priority,
            best_time_slots=request.best_time_slots,
            best_days=request.best_days,
        )
        callback, created = _callback_create(request, due_at)
        raised = higher_priority(callback.priority, request.priority)
        if not created and raised != callback.priority and callback.is_open:
            callback.priority = raised
            callback.due_at = min(callback.due_at, due_at)
            callback.save(update_fields=["priority", "due_at", "updated_at"])

        emails = [("desk_new_request", settings.CLINIC["FRONT_DESK_EMAIL"])]
        if request.anonymized_at is None:
            emails.insert(0, ("patient_acknowledgement", request.email))
        # Day or night: the alert of the request's tier reaches everyone on shift and every supervisor.
        emails += staff_alerts(request.priority)
        notification_queue_for_request(request=request, emails=emails)

        PipelineRecord.objects.filter(request=request, status=PipelineStatus.PENDING).update(
            status=PipelineStatus.DONE, processed_at=timezone.now()
        )
    return callback


def _merged_submission_process(request: AppointmentRequest) -> None:
    """A repeat merged into an open request: acknowledged like a new one, with no callback of its own.

    Its details (and any raised tier, with the alert) went to the open request
    at intake, through that request's own pipeline record.
    """
    if request.anonymized_at is None:
        notification_queue_for_request(request=request, emails=[("patient_acknowledgement", request.email)])
    PipelineRecord.objects.filter(request=request, status=PipelineStatus.PENDING).update(
        status=PipelineStatus.DONE, processed_at=timezone.now()
    )


def pipeline_mark_unpublished(*, request_id: int) -> None:
    """The task processing this request was cancelled half-way: its record is re-published at the next beat.

    Without this, a record whose message was published (and then lost with
    the cancelled task) would wait REPUBLISH_UNPROCESSED_AFTER, for the
    backlog it does not belong to. The record says so (last_error), so the
    admin, and anyone reading published_at, can tell this from a publish
    that never happened.
    """
    PipelineRecord.objects.filter(request_id=request_id, status=PipelineStatus.PENDING).update(
        published_at=None, last_error=HANDED_BACK
    )


def pipeline_mark_failed(*, request_id: int, error: str) -> None:
    """The task gave up: show the records as failed in the admin, with a retry action."""
    PipelineRecord.objects.filter(request_id=request_id, status=PipelineStatus.PENDING).update(
        status=PipelineStatus.FAILED, last_error=error[:500]
    )


def pipeline_retry(*, record_id: int) -> bool:
    """Put a failed pipeline record back to pending and publish it (the admin's retry action)."""
    with transaction.atomic():
        updated = PipelineRecord.objects.filter(pk=record_id, status=PipelineStatus.FAILED).update(
            status=PipelineStatus.PENDING, last_error="", attempts=0
        )
        if updated:
            record = PipelineRecord.objects.get(pk=record_id)
            pipeline_publish_on_commit(record)
    return bool(updated)
