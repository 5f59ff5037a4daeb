"""The mail server goes away for a while: everything queued reaches it once it is back, nothing twice.

Real parts: a `celery worker` process and an SMTP server (aiosmtpd) that the
test stops and starts again on the same port; it counts what it accepts.

Nothing is sped up: no beat, no sweep, no monkeypatching. The worker's own
retry does it: a failed send puts the row back to pending with a backoff
(15 to 30 s for the first failure, `backoff_seconds`) and the task retries
itself at that time. The server is back before those retries are due, so
they deliver.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from requests_app.models import AppointmentRequest, Notification, NotificationStatus
from requests_app.services.notifications import notification_queue
from tests.fault.helpers import deliveries, duplicated_message_ids
from tests.support.bulk import bulk_callbacks
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

EMAILS = 60
STOP_AT = 20  # messages accepted when the server goes down
DOWN_FOR = 5.0  # at least; less than the first retry's earliest time (15 s)


def test_email_queued_while_the_mail_server_is_down_is_delivered_once_when_it_returns(sink, start_worker):
    bulk_callbacks(EMAILS)
    requests = list(AppointmentRequest.objects.order_by("pk"))
    worker = start_worker()
    with transaction.atomic():
        for request in requests:
            notification_queue(event="patient_acknowledgement", recipient=request.email, request=request)

    assert wait_until(lambda: len(sink.messages) >= STOP_AT, 30), worker.log()
    sink.stop()
    down_at = time.monotonic()
    # Down until every email not yet accepted has failed at least once.
    assert wait_until(
        lambda: not Notification.objects.filter(status=NotificationStatus.PENDING, attempts=0).exists()
        and not Notification.objects.filter(status=NotificationStatus.SENDING).exists(),
        30,
    ), worker.log()
    time.sleep(max(0.0, DOWN_FOR - (time.monotonic() - down_at)))
    waiting = Notification.objects.filter(status=NotificationStatus.PENDING).count()
    delivered_before = len(sink.messages)
    sink.start()
    back_at = time.monotonic()
    print(f"server down {back_at - down_at:.1f} s; {delivered_before} accepted before, {waiting} waiting for it")
    assert waiting == EMAILS - delivered_before
    assert waiting > 0

    assert wait_until(lambda: len(sink.messages) >= EMAILS, 60), (len(sink.messages), worker.log())
    print(f"all {EMAILS} accepted {time.monotonic() - back_at:.1f} s after the server came back")
    assert wait_until(lambda: Notification.objects.filter(status=NotificationStatus.SENT).count() == EMAILS, 10)
    time.sleep(2)  # a late duplicate would arrive now

    received = deliveries(sink)
    assert len(sink.messages) == EMAILS
    assert {r.email: received[r.email] for r in requests} == dict.fromkeys((r.email for r in requests), 1)
    assert duplicated_message_ids(sink) == []
