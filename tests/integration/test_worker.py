"""A real Celery worker process runs what the web code queues after commit."""

import pytest
from django.db import transaction

from requests_app.models import Heartbeat
from requests_app.tasks import heartbeat
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_task_queued_on_commit_is_run_by_a_real_worker(celery_worker):
    with transaction.atomic():
        heartbeat.delay_on_commit("integration")  # type: ignore[attr-defined]  # celery-types lacks Task.delay_on_commit (Celery 5.4)
        # Nothing is published before the commit.
        assert not Heartbeat.objects.filter(name="integration").exists()

    assert wait_until(lambda: Heartbeat.objects.filter(name="integration").exists(), timeout=30), celery_worker.log()


@pytest.mark.usefixtures("celery_worker")
def test_task_queued_in_a_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        heartbeat.delay_on_commit("rolled-back")  # type: ignore[attr-defined]  # celery-types lacks Task.delay_on_commit (Celery 5.4)
        raise RuntimeError("the view failed after queuing")
    heartbeat.delay("after-rollback")  # a marker queued behind it

    assert wait_until(lambda: Heartbeat.objects.filter(name="after-rollback").exists(), timeout=30)
    assert not Heartbeat.objects.filter(name="rolled-back").exists()
