"""Celery tasks: each takes ids, is idempotent, and calls one service.

Delivery is at least once (acks_late, the outbox sweeps), so every task is
safe to run twice: the services check state before acting.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import Error as DatabaseError
from django.utils import timezone

from requests_app.models import Heartbeat, PipelineRecord
from requests_app.services import callbacks, notifications, pipeline, retention, supervision
from requests_app.termination import clean_up, stopping

logger = logging.getLogger(__name__)

PIPELINE_MAX_RETRIES = 6


def _backoff(retries: int) -> int:
    return min(600, 5 * 2**retries)


@shared_task
def heartbeat(name: str = "worker") -> None:
    """Record that a worker is consuming; scheduled by beat every minute."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


@shared_task(bind=True, max_retries=PIPELINE_MAX_RETRIES)
def process_new_request(self, request_id: int) -> None:
    """Create, assign and announce the callback for a request."""
    try:
        pipeline.request_process(request_id=request_id)
    except BaseException as error:
        if stopping(error):
            # The worker is stopping this task (Celery cancels running tasks when
            # it loses Redis): the transaction rolled back; have beat send it again soon.
            clean_up(
                f"request {request_id}",
                lambda: pipeline.pipeline_mark_unpublished(request_id=request_id),
                # Cancelled after the commit, while publishing the emails: the sweep queues them (a second
                # message for one already queued is harmless: only one send can claim the row).
                lambda: notifications.notification_mark_unqueued(request_id=request_id),
            )
            raise
        if not isinstance(error, Exception):
            raise
        # Any other failure is recorded on the request's pipeline record and retried, then shown to staff.
        _process_failed(self, request_id, error)


def _process_failed(task, request_id: int, error: BaseException) -> None:
    """Record the error on the request's pipeline record; retry with backoff, or give up after the last."""
    PipelineRecord.objects.filter(request_id=request_id, status="pending").update(
        attempts=task.request.retries + 1, last_error=f"{type(error).__name__}: {error}"[:500]
    )
    if task.request.retries >= task.max_retries:
        logger.exception("process_new_request gave up on request %s", request_id)
        pipeline.pipeline_mark_failed(request_id=request_id, error=f"{type(error).__name__}: {error}")
        return
    raise task.retry(exc=error, countdown=_backoff(task.request.retries)) from error


@shared_task
def republish_pipeline() -> int:
    """Beat, every 10 s: re-publish requests that never reached the worker."""
    return pipeline.pipeline_republish_stale()


@shared_task(bind=True, max_retries=None)
def send_notification(self, notification_id: int) -> str:
    """Send one email from the outbox; retried with backoff and jitter until the row's cap."""
    try:
        return notifications.notification_send(notification_id=notification_id)
    except notifications.SendError as error:
        next_attempt_at = (
            notifications.Notification.objects.filter(pk=notification_id)
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        countdown = max(1, int((next_attempt_at - timezone.now()).total_seconds())) if next_attempt_at else 30
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task
def sweep_notifications() -> int:
    """Beat, every 10 s: re-queue emails that no task is going to send."""
    return notifications.notification_sweep()


@shared_task
def escalate_overdue_callbacks() -> int:
    """Beat, every minute: flag overdue callbacks once and tell the supervisors."""
    return supervision.callbacks_escalate_overdue()


@shared_task
def release_lapsed_claims() -> int:
    """Beat, every minute: callbacks whose holder has done nothing for the lapse time go back to the queue."""
    return callbacks.callbacks_release_lapsed()


@shared_task
def send_appointment_reminders() -> int:
    """Beat, hourly: queue the day-before reminders (each once)."""
    return supervision.appointments_send_reminders()


@shared_task
def send_daily_digest() -> int:
    """Beat, every morning: the supervisors' summary of the queue."""
    return supervision.daily_digest_queue()


@shared_task
def apply_retention() -> int:
    """Beat, nightly: anonymize closed requests past the retention period."""
    return retention.requests_anonymize_expired().anonymized_count


def hand_back_held_messages(held: list[tuple[str, list]]) -> int:
    """A worker lost Redis holding these messages, as (task name, args): their work goes back to the outboxes.

    Called by the worker's consumer (requests_app/worker.py) for every message it
    had taken and not acknowledged: waiting for a pool process, or running.
    (A retry waiting for its countdown is not among them: its row waits for
    the stale sweep, as a failed send already does.) Celery drops those it had not started,
    and Redis gives them out again only after the visibility timeout (an
    hour); without this, the outboxes would find the work only once it
    counts as stale (15 s for a request, 2 minutes for an email). Marked
    here, it goes out at the next beat after Redis is back. Work done
    meanwhile is left alone, and a second message for work still to do is
    harmless: each task checks state first. Returns how many messages were handled.
    """
    hand_backs = {
        process_new_request.name: lambda object_id: pipeline.pipeline_mark_unpublished(request_id=object_id),
        send_notification.name: lambda object_id: notifications.notification_mark_message_lost(
            notification_id=object_id
        ),
    }
    marked = 0
    for name, args in held:
        hand_back = hand_backs.get(name)
        if hand_back is None or not args:
            continue  # beat's periodic tasks: the next tick runs them again
        try:
            hand_back(args[0])
        except DatabaseError:
            # The database is unreachable too: do not wait on it once per message.
            logger.exception("could not hand back %s(%s); the outboxes' stale sweeps will find the rest", name, args[0])
            break
        except Exception:  # broad on purpose: one message's failure must not keep the others from the outbox
            logger.exception("could not hand back %s(%s)", name, args[0])
        else:
            marked += 1
    return marked
