"""A send cancelled with SIGTERM at the worst moment: the email is delivered, or its row is left unsent.

Celery cancels running tasks with SIGTERM when a worker loses Redis
(`CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS`, on in
settings), and billiard's pool process turns SIGTERM into SystemExit at the
next line of Python. test_redis_outage.py saw it lose acknowledgements: rows
marked "sent", never accepted by the SMTP server (the commit had returned,
the final "." was never written).

Here the moment is not left to luck. The real "sent" commit runs, and the
SIGTERM arrives before that call has returned (as when the commit waits on a
busy database), with billiard's own handler installed as in a pool process.
Everything else is real: the service, the database, an SMTP server.
"""

from __future__ import annotations

import os
import signal

import pytest
from billiard.common import _shutdown_cleanup, clear_terminate_handler_fired
from django.db import transaction

from requests_app.models import AppointmentRequest, NotificationStatus
from requests_app.services import notifications
from requests_app.services.notifications import notification_queue, notification_send
from tests.support.bulk import bulk_callbacks
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def billiard_sigterm():
    """SIGTERM handled as in a Celery pool process, for this test only."""
    previous = signal.signal(signal.SIGTERM, _shutdown_cleanup)
    yield
    signal.signal(signal.SIGTERM, previous)
    clear_terminate_handler_fired()


def test_a_send_cancelled_during_the_sent_commit_is_delivered_or_left_unsent(
    smtp_server, billiard_sigterm, monkeypatch
):
    bulk_callbacks(1)
    request = AppointmentRequest.objects.get()
    with transaction.atomic():
        row = notification_queue(event="patient_acknowledgement", recipient=request.email, request=request)

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
