"""A worker killed with SIGKILL in the middle of sending 300 emails: none lost, none sent twice.

Counted where it matters, at a real SMTP server (aiosmtpd). The worker is a
real `celery worker` process (concurrency 2, acks_late) killed with SIGKILL
(its whole process group, pool children included) at two points, then
started again.

What a kill leaves behind is what production's beat sweeps up: rows stuck
"sending" (after STALE_SENDING_AFTER, 5 minutes) and pending rows whose
message the dead worker had reserved (after STALE_PENDING_AFTER, 2 minutes;
Redis itself would only hand those messages back after the 1-hour
visibility timeout). The test runs that sweep (`notification_sweep`, the
body of the beat task) itself, right after each kill, with both thresholds
monkeypatched to zero in this process. That is sound only while no worker is
alive, which is exactly when it runs: a zero threshold then stands for "long
enough that the owner is surely dead". The sweep also re-queues pending rows
whose messages are still waiting in the queue, so the restarted worker sees
many rows twice; the claim (pending -> sending) must make the second one a
no-op, which is part of what "none sent twice" checks.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction

from requests_app.models import AppointmentRequest, Notification, NotificationStatus
from requests_app.services import notifications
from requests_app.services.notifications import notification_queue, notification_sweep
from tests.fault.helpers import deliveries, duplicated_message_ids, queued_messages
from tests.support.bulk import bulk_callbacks
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

# What a kill can catch is the few messages a worker holds (concurrency 2, prefetch 1), not the
# length of the queue: 300 leave well over a hundred rows waiting after each kill for the sweep
# to send again (500 did the same in 20 s more).
EMAILS = 300
KILL_AT = (80, 190)  # messages accepted by the SMTP server when the worker is killed


def _status_counts() -> dict[str, int]:
    counts = dict.fromkeys(NotificationStatus.values, 0)
    for status in Notification.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts


def test_a_worker_killed_mid_queue_loses_no_email_and_sends_none_twice(own_redis, sink, start_worker, monkeypatch):
    bulk_callbacks(EMAILS)
    requests = list(AppointmentRequest.objects.order_by("pk"))
    with transaction.atomic():
        for request in requests:
            notification_queue(event="patient_acknowledgement", recipient=request.email, request=request)
    assert queued_messages(own_redis.url) == EMAILS

    started = time.monotonic()
    for kill_at in KILL_AT:
        worker = start_worker(concurrency=2)
        assert wait_until(lambda n=kill_at: len(sink.messages) >= n, 60), worker.log()
        worker.kill()
        time.sleep(0.5)  # the SMTP server finishes (or drops) the sessions the dead worker left open
        counts = _status_counts()
        print(f"killed at {len(sink.messages)} accepted: rows {counts}")
        # At the moment of the kill: every row marked sent was accepted by the server, and no other.
        # More rows than messages means the kill fell between the "sent" commit and the final "."
        # (the window the notifications module admits, which SIGKILL cannot be kept out of).
        assert counts[NotificationStatus.SENT] == len(sink.messages), (counts, len(sink.messages))

        # Beat's sweep, with no worker alive (see the module docstring).
        monkeypatch.setattr(notifications, "STALE_SENDING_AFTER", timedelta(0))
        monkeypatch.setattr(notifications, "STALE_PENDING_AFTER", timedelta(0))
        requeued = notification_sweep()
        monkeypatch.undo()
        assert not Notification.objects.filter(status=NotificationStatus.SENDING).exists()
        print(f"the sweep re-queued {requeued} rows")

    worker = start_worker(concurrency=2)
    assert wait_until(lambda: _status_counts()[NotificationStatus.SENT] == EMAILS, 120), (
        _status_counts(),
        worker.log(),
    )
    # Let every re-queued duplicate be consumed before counting.
    assert wait_until(lambda: queued_messages(own_redis.url) == 0, 60)
    time.sleep(1)
    print(f"{EMAILS} emails through two SIGKILLs in {time.monotonic() - started:.1f} s")

    received = deliveries(sink)
    assert len(sink.messages) == EMAILS
    assert {r.email: received[r.email] for r in requests} == {r.email: 1 for r in requests}
    assert duplicated_message_ids(sink) == []
    assert _status_counts() == {
        NotificationStatus.PENDING: 0,
        NotificationStatus.SENDING: 0,
        NotificationStatus.SENT: EMAILS,
        NotificationStatus.FAILED: 0,
    }
