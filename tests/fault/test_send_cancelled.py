"""Tasks cancelled with SIGTERM half-way: nothing lost, nothing left waiting for minutes.

Celery cancels running tasks with SIGTERM when a worker loses Redis
(`CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS`, on in
settings), and billiard's pool process turns SIGTERM into SystemExit at the
next line of Python. test_redis_outage.py saw it lose acknowledgements: rows
marked "sent", never accepted by the SMTP server (the commit had returned,
the final "." was never written).

Here the moment is not left to luck (for the send, the worst one: during the
commit of "sent"; for both tasks, an ordinary one: half-way through). The real "sent" commit runs, and the
SIGTERM arrives before that call has returned (as when the commit waits on a
busy database), with billiard's own handler installed as in a pool process.
Everything else is real: the service, the database, an SMTP server.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import redis
from billiard.common import (  # type: ignore[attr-defined]  # celery-types' billiard stubs lack these
    _shutdown_cleanup,
    clear_terminate_handler_fired,
)
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from requests_app import tasks
from requests_app.models import AppointmentRequest, Callback, Notification, NotificationStatus, PipelineRecord
from requests_app.services import notifications, pipeline
from requests_app.services.notifications import notification_queue, notification_send, notification_sweep
from requests_app.services.pipeline import pipeline_republish_stale
from tests.fault.helpers import queued_tasks
from tests.support.bulk import bulk_callbacks
from tests.support.intake import submit
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def billiard_sigterm():
    """SIGTERM handled as in a Celery pool process, for this test only."""
    previous = signal.signal(signal.SIGTERM, _shutdown_cleanup)
    yield
    signal.signal(signal.SIGTERM, previous)
    clear_terminate_handler_fired()


@pytest.fixture
def queued_email():
    """One patient acknowledgement in the outbox, for a request already processed."""
    bulk_callbacks(1)
    request = AppointmentRequest.objects.get()
    with transaction.atomic():
        return notification_queue(event="patient_acknowledgement", recipient=request.email, request=request)


def stopped_before_the_claim(_notification_id, _claimed_at):
    os.kill(os.getpid(), signal.SIGTERM)
    raise AssertionError("not reached")


@pytest.mark.usefixtures("billiard_sigterm")
def test_a_send_cancelled_during_the_sent_commit_is_delivered_or_left_unsent(queued_email, smtp_server, monkeypatch):
    row = queued_email
    request = row.request

    commit_sent = notifications._mark_sent

    def cancelled_while_committing(notification_id: int) -> None:
        commit_sent(notification_id)
        os.kill(os.getpid(), signal.SIGTERM)  # Celery cancels the task; the commit call has not returned yet

    monkeypatch.setattr(notifications, "_mark_sent", cancelled_while_committing)
    with pytest.raises(SystemExit):  # the pool process still goes
        notification_send(notification_id=row.pk)

    delivered = wait_until(lambda: smtp_server.to(request.email), 3)
    row.refresh_from_db()
    assert (row.status, bool(delivered)) in {(NotificationStatus.SENT, True), (NotificationStatus.PENDING, False)}, (
        f"row {row.status}, {'delivered' if delivered else 'never delivered'}"
    )


@pytest.mark.usefixtures("billiard_sigterm")
def test_a_send_cancelled_half_way_goes_back_to_pending_and_out_at_the_next_sweep(
    queued_email, smtp_server, broker, monkeypatch
):
    row = queued_email
    request = row.request
    redis.Redis.from_url(broker).flushdb()  # its message: taken by the task cancelled below
    smtp_send = notifications._smtp_send_with_commit

    def cancelled_while_talking_to_the_server(message, before_accept):
        os.kill(os.getpid(), signal.SIGTERM)  # Celery cancels the task during the SMTP conversation
        smtp_send(message, before_accept)

    monkeypatch.setattr(notifications, "_smtp_send_with_commit", cancelled_while_talking_to_the_server)
    with pytest.raises(SystemExit):
        notification_send(notification_id=row.pk)
    monkeypatch.setattr(notifications, "_smtp_send_with_commit", smtp_send)
    clear_terminate_handler_fired()

    row.refresh_from_db()
    assert (row.status, row.unqueued_at is not None) == (NotificationStatus.PENDING, True)
    assert smtp_server.messages == []
    # Beat's next sweep (every 10 s) queues it at once: it is seconds old, far from stale.
    assert notification_sweep() == 1
    assert queued_tasks(broker) == [("requests_app.tasks.send_notification", f"[{row.pk}]")]
    assert notification_send(notification_id=row.pk) == "sent"
    assert len(smtp_server.to(request.email)) == 1


@pytest.mark.usefixtures("billiard_sigterm", "front_desk")
def test_processing_cancelled_half_way_leaves_nothing_and_is_published_again_at_the_next_beat(broker, monkeypatch):
    request = submit().request
    record = PipelineRecord.objects.get(request=request)
    PipelineRecord.objects.filter(pk=record.pk).update(published_at=record.created_at)  # its message was taken
    redis.Redis.from_url(broker).flushdb()  # the message the web published: taken by the task cancelled below

    def cancelled_inside_the_transaction(**kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # Celery cancels the task while it writes the callback
        return original_queue(**kwargs)

    original_queue = pipeline.notification_queue_for_request
    monkeypatch.setattr(pipeline, "notification_queue_for_request", cancelled_inside_the_transaction)
    with pytest.raises(SystemExit):
        tasks.process_new_request.run(request.pk)
    monkeypatch.setattr(pipeline, "notification_queue_for_request", original_queue)
    clear_terminate_handler_fired()

    assert not Callback.objects.filter(request=request).exists(), "the transaction rolled back"
    record.refresh_from_db()
    assert (record.status, record.published_at, record.last_error) == ("pending", None, pipeline.HANDED_BACK)
    # Beat's next re-publish (every 10 s) sends it once it is 15 s old, not after the 2 minutes for a backlog.
    PipelineRecord.objects.filter(pk=record.pk).update(
        created_at=record.created_at - pipeline.REPUBLISH_UNPUBLISHED_AFTER
    )
    assert pipeline_republish_stale() == 1
    assert queued_tasks(broker) == [("requests_app.tasks.process_new_request", f"[{request.pk}]")]


def in_a_pool_process(job) -> int:
    """Run `job` in a forked child with billiard's SIGTERM handler, as in a Celery pool process; its wait status.

    A child, because billiard's handler sets SIGTERM back to its default
    action: a second SIGTERM ends the process where it stands, which here
    would be the test run.
    """
    connections.close_all()  # the child opens its own; none is shared across the fork
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            clear_terminate_handler_fired()
            signal.signal(signal.SIGTERM, _shutdown_cleanup)
            job()
        except SystemExit:
            code = 3  # stopped by the first SIGTERM and got to the end of its clean-up
        except BaseException:  # noqa: BLE001 (the forked child must reach os._exit whatever the job raised)
            code = 4
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


@pytest.mark.usefixtures("broker")
def test_a_second_sigterm_during_the_hand_back_still_hands_the_email_back(queued_email, smtp_server, monkeypatch):
    # Celery sends SIGTERM once for each request it counts as running in a pool process: two can arrive.
    row = queued_email
    smtp_send, hand_back = notifications._smtp_send_with_commit, notifications._hand_back

    def cancelled_while_talking_to_the_server(message, before_accept):
        os.kill(os.getpid(), signal.SIGTERM)
        smtp_send(message, before_accept)

    def cancelled_again(notification_id, claimed_at):
        os.kill(os.getpid(), signal.SIGTERM)  # with billiard's handler spent, this one would end the process
        hand_back(notification_id, claimed_at)

    monkeypatch.setattr(notifications, "_smtp_send_with_commit", cancelled_while_talking_to_the_server)
    monkeypatch.setattr(notifications, "_hand_back", cancelled_again)

    status = in_a_pool_process(lambda: notification_send(notification_id=row.pk))

    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM, "the second SIGTERM, held, then delivered"
    row.refresh_from_db()
    assert (row.status, row.unqueued_at is not None) == (NotificationStatus.PENDING, True)
    assert smtp_server.messages == []


@pytest.mark.usefixtures("broker", "front_desk")
def test_a_second_sigterm_while_processing_is_handed_back_still_marks_the_record_for_the_next_beat(monkeypatch):
    request = submit().request
    record = PipelineRecord.objects.get(request=request)
    original_queue, mark_unpublished = pipeline.notification_queue_for_request, pipeline.pipeline_mark_unpublished

    def cancelled_inside_the_transaction(**kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return original_queue(**kwargs)

    def cancelled_again(**kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        mark_unpublished(**kwargs)

    monkeypatch.setattr(pipeline, "notification_queue_for_request", cancelled_inside_the_transaction)
    monkeypatch.setattr(pipeline, "pipeline_mark_unpublished", cancelled_again)

    status = in_a_pool_process(lambda: tasks.process_new_request.run(request.pk))

    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
    record.refresh_from_db()
    assert (record.status, record.published_at, record.last_error) == ("pending", None, pipeline.HANDED_BACK)
    assert not Callback.objects.filter(request=request).exists()


@pytest.mark.usefixtures("smtp_server", "billiard_sigterm", "broker")
def test_a_send_stopped_as_its_claim_returns_goes_back_to_pending(queued_email, monkeypatch):
    row = queued_email
    claim = notifications._claim

    def cancelled_as_the_update_returns(notification_id, claimed_at):
        claimed = claim(notification_id, claimed_at)
        os.kill(os.getpid(), signal.SIGTERM)  # handled at the next line: before the caller sees True
        return claimed

    monkeypatch.setattr(notifications, "_claim", cancelled_as_the_update_returns)
    with pytest.raises(SystemExit):
        notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.sending_since, row.unqueued_at is not None) == (NotificationStatus.PENDING, None, True)


@pytest.mark.usefixtures("smtp_server", "billiard_sigterm", "broker")
def test_a_send_stopped_before_its_claim_leaves_another_workers_claim_alone(queued_email, monkeypatch):
    row = queued_email
    other_workers_claim = timezone.now()
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENDING, sending_since=other_workers_claim)

    monkeypatch.setattr(notifications, "_claim", stopped_before_the_claim)
    with pytest.raises(SystemExit):
        notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.sending_since) == (NotificationStatus.SENDING, other_workers_claim)


def a_query_the_stop_interrupts() -> None:
    """SIGTERM arrives while the database is answering.

    On PostgreSQL psycopg waits for the answer in Python, so the SystemExit
    is raised there, mid-protocol, and the connection is left unusable
    ("another command is already in progress"): the clean-up must not count
    on it. sqlite3 answers in C, and the signal waits for it.
    """
    stop = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGTERM))
    stop.start()
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_sleep(2)")
            else:
                time.sleep(2)
                cursor.execute("SELECT 1")
    finally:
        stop.cancel()
    raise AssertionError("the stop did not come")


@pytest.mark.usefixtures("smtp_server", "billiard_sigterm", "broker")
def test_a_send_stopped_during_a_database_query_is_still_handed_back(queued_email, monkeypatch):
    row = queued_email
    claim = notifications._claim

    def stopped_in_the_next_query(notification_id, claimed_at):
        claimed = claim(notification_id, claimed_at)
        a_query_the_stop_interrupts()
        return claimed

    monkeypatch.setattr(notifications, "_claim", stopped_in_the_next_query)
    with pytest.raises(SystemExit):
        notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.unqueued_at is not None) == (NotificationStatus.PENDING, True)


@pytest.mark.usefixtures("billiard_sigterm", "broker", "front_desk")
def test_processing_stopped_during_a_database_query_is_still_handed_back(monkeypatch):
    request = submit().request
    original_queue = pipeline.notification_queue_for_request

    def stopped_in_a_query(**kwargs):
        a_query_the_stop_interrupts()
        return original_queue(**kwargs)

    monkeypatch.setattr(pipeline, "notification_queue_for_request", stopped_in_a_query)
    with pytest.raises(SystemExit):
        tasks.process_new_request.run(request.pk)

    record = PipelineRecord.objects.get(request=request)
    assert (record.status, record.published_at, record.last_error) == ("pending", None, pipeline.HANDED_BACK)
    assert not Callback.objects.filter(request=request).exists()


@pytest.mark.usefixtures("smtp_server", "billiard_sigterm")
def test_a_send_stopped_before_its_claim_has_the_row_queued_at_the_next_sweep(queued_email, broker, monkeypatch):
    # The task's message is gone with it (taken from Redis, never to be acknowledged): without a mark the
    # row would wait STALE_PENDING_AFTER for the sweep.
    row = queued_email
    redis.Redis.from_url(broker).flushdb()

    monkeypatch.setattr(notifications, "_claim", stopped_before_the_claim)
    with pytest.raises(SystemExit):
        notification_send(notification_id=row.pk)
    monkeypatch.undo()
    clear_terminate_handler_fired()

    row.refresh_from_db()
    assert (row.status, row.attempts, row.unqueued_at is not None) == (NotificationStatus.PENDING, 0, True)
    assert notification_sweep() == 1
    assert queued_tasks(broker) == [("requests_app.tasks.send_notification", f"[{row.pk}]")]


@pytest.mark.usefixtures("broker", "front_desk")
def test_the_work_in_messages_a_worker_held_goes_back_to_the_outboxes_and_finished_work_is_left_alone():
    waiting, done = submit().request, submit().request
    tasks.process_new_request.run(done.pk)
    sent, pending = Notification.objects.filter(request=done).order_by("pk")[:2]
    Notification.objects.filter(pk=sent.pk).update(status=NotificationStatus.SENT)
    PipelineRecord.objects.filter(request=waiting).update(published_at=timezone.now())

    marked = tasks.hand_back_held_messages(
        [
            (tasks.process_new_request.name, [waiting.pk]),
            (tasks.process_new_request.name, [done.pk]),
            (tasks.send_notification.name, [sent.pk]),
            (tasks.send_notification.name, [pending.pk]),
            (tasks.heartbeat.name, []),
            (tasks.sweep_notifications.name, []),
        ]
    )

    assert marked == 4
    assert PipelineRecord.objects.get(request=waiting).published_at is None
    assert PipelineRecord.objects.get(request=done).status == "done"
    sent.refresh_from_db()
    pending.refresh_from_db()
    assert (sent.status, sent.unqueued_at) == (NotificationStatus.SENT, None)
    assert (pending.status, pending.unqueued_at is not None) == (NotificationStatus.PENDING, True)


@pytest.mark.usefixtures("billiard_sigterm", "broker", "front_desk")
def test_a_stop_that_surfaces_as_a_database_error_is_still_handled_as_a_stop(monkeypatch):
    # A stop during a COMMIT: Django's clean-up fails on the busy connection, and its error replaces the SystemExit.
    request = submit().request

    def stopped_and_the_clean_up_failed(**_kwargs):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        except SystemExit:
            raise DatabaseError("cannot change autocommit on a busy connection") from None

    monkeypatch.setattr(pipeline, "notification_queue_for_request", stopped_and_the_clean_up_failed)
    with pytest.raises(DatabaseError):
        tasks.process_new_request.run(request.pk)

    record = PipelineRecord.objects.get(request=request)
    assert (record.status, record.attempts, record.published_at, record.last_error) == (
        "pending",
        0,
        None,
        pipeline.HANDED_BACK,
    ), "a stop, not a failure to retry"
