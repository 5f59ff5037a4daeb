"""A request accepted inside a transaction that then rolls back never reaches the broker or the worker.

The real intake (`appointment_request_create`) inside an outer atomic block
that fails afterwards, as a view would if something after the intake raised.
Its publish is registered with `transaction.on_commit`, so the rollback must
drop it: the broker's queue is read directly to prove nothing was published,
and a real worker is left to drain the queue to prove no callback appears.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from requests_app.models import AppointmentRequest, Callback, Heartbeat, Notification, PipelineRecord
from requests_app.services.intake import appointment_request_create
from requests_app.tasks import heartbeat
from tests.fault.helpers import queued_tasks
from tests.support.intake import patient_fields
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]


class ViewFailed(Exception):
    pass


def test_an_intake_rolled_back_by_an_outer_transaction_publishes_nothing_and_makes_no_callback(own_redis, start_worker):
    rolled_back = patient_fields()
    with pytest.raises(ViewFailed), transaction.atomic():
        result = appointment_request_create(**rolled_back, channel="api")
        assert not result.merged
        raise ViewFailed
    assert queued_tasks(own_redis.url) == []
    assert not AppointmentRequest.objects.exists()

    # The same call committed does publish, to the queue read above: one
    # message, its own (SQLite may give it the rolled-back row's id).
    committed = appointment_request_create(**patient_fields(), channel="api").request
    assert queued_tasks(own_redis.url) == [("requests_app.tasks.process_new_request", f"[{committed.pk}]")]

    worker = start_worker()
    heartbeat.delay("after-both")  # queued behind them: once it has run, the queue is drained
    assert wait_until(lambda: Callback.objects.filter(request=committed).exists(), 30), worker.log()
    assert wait_until(
        lambda: queued_tasks(own_redis.url) == [] and Heartbeat.objects.filter(name="after-both").exists(), 30
    ), worker.log()

    assert list(AppointmentRequest.objects.values_list("email", flat=True)) == [committed.email]
    assert Callback.objects.count() == 1
    assert PipelineRecord.objects.count() == 1
    assert not Notification.objects.filter(recipient=rolled_back["email"]).exists()
