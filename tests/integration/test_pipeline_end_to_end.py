"""The whole flow with real parts: the API, Redis, a Celery worker process and an SMTP server."""

import json

import pytest
from django.test import Client

from requests_app.models import Callback, Notification, NotificationStatus, PipelineRecord, PipelineStatus
from tests.support.intake import patient_fields
from tests.support.processes import CeleryWorker, wait_until
from tests.support.smtp import SmtpSink

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def worker_with_smtp(broker, smtp_sink, tmp_path):
    worker = CeleryWorker(broker, tmp_path / "worker.log", extra_env=smtp_sink.settings_env())
    worker.start()
    yield worker
    worker.kill()  # the test is over (see CeleryWorker.kill)


def test_a_request_sent_to_the_api_becomes_a_callback_and_emails_via_the_worker(worker_with_smtp, smtp_sink, settings):
    fields = patient_fields(symptoms=["radiating_leg_pain"])
    response = Client().post("/api/v1/appointment-requests/", json.dumps(fields), content_type="application/json")
    assert response.status_code == 201
    reference = response.json()["reference"]

    assert wait_until(lambda: Callback.objects.filter(request__reference=reference).exists(), 30), (
        worker_with_smtp.log()
    )
    assert wait_until(lambda: len(smtp_sink.to(fields["email"])) == 1, 30), worker_with_smtp.log()
    assert wait_until(lambda: len(smtp_sink.to(settings.CLINIC["FRONT_DESK_EMAIL"])) == 1, 30)

    assert PipelineRecord.objects.get(request__reference=reference).status == PipelineStatus.DONE
    assert wait_until(lambda: not Notification.objects.exclude(status=NotificationStatus.SENT).exists(), 10), list(
        Notification.objects.values_list("event", "status", "last_error")
    )
    [ack] = smtp_sink.to(fields["email"])
    assert reference in ack["Subject"]
