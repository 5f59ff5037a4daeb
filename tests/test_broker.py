"""The publish path's circuit breaker: a broker that just failed is not waited on again for a few seconds.

What a hung Redis does to a publish is in tests/fault/test_hung_redis.py;
here, the breaker's states, and that a publish it skips is left to the
outboxes exactly as one the broker refused.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from requests_app.models import Notification, PipelineRecord
from requests_app.services import broker as broker_service
from requests_app.services.broker import CircuitBreaker
from requests_app.services.notifications import notification_publish, notification_sweep
from requests_app.services.pipeline import pipeline_publish, request_process
from tests.conftest import point_celery_at
from tests.fault.helpers import queued_tasks
from tests.support.intake import submit
from tests.support.processes import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _breakers_closed():
    broker_service._breakers_reset()
    yield
    broker_service._breakers_reset()


def test_a_failure_opens_the_circuit_for_its_window_then_one_publish_tries_again():
    clock = Clock()
    breaker = CircuitBreaker(clock)
    assert breaker.allows(5)
    breaker.failed()
    clock.now += 4.9
    assert not breaker.allows(5)
    clock.now += 0.2
    assert breaker.allows(5), "the window is over: one publish finds out"
    assert not breaker.allows(5), "while it does, the others still skip"
    breaker.failed()
    clock.now += 4.9
    assert not breaker.allows(5), "it failed: a new window"
    clock.now += 0.2
    assert breaker.allows(5)
    breaker.succeeded()
    assert breaker.allows(5)
    assert breaker.allows(5), "closed: every publish tries"


def test_of_many_threads_asking_at_once_after_the_window_only_one_tries():
    clock = Clock()
    breaker = CircuitBreaker(clock)
    breaker.failed()
    clock.now += 10
    start = threading.Barrier(32)

    def ask(_) -> bool:
        start.wait()
        return breaker.allows(5)

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(ask, range(32)))
    assert answers.count(True) == 1


@pytest.mark.django_db
def test_a_publish_skipped_while_the_circuit_is_open_is_left_to_the_outboxes_as_a_refused_one_is(broker, settings):
    request = submit().request  # (the test's transaction never commits: nothing was published)
    record = PipelineRecord.objects.get(request=request)
    request_process(request_id=request.pk)
    ack = Notification.objects.get(request=request, event="patient_acknowledgement")
    broker_service._breaker(broker).failed()  # a publish to this broker just failed

    assert pipeline_publish(record.pk, request.pk) is False
    assert notification_publish(ack.pk) is False

    assert queued_tasks(broker) == [], "not even tried"
    record.refresh_from_db()
    assert record.published_at is None  # beat's next re-publish sends it once it is 15 s old
    ack.refresh_from_db()
    assert ack.unqueued_at is not None  # the next sweep queues it

    # The window is over: the next publish tries, and goes through; so do the ones after it.
    settings.BROKER_CIRCUIT_OPEN_SECONDS = 0
    assert pipeline_publish(record.pk, request.pk) is True
    record.refresh_from_db()
    assert record.published_at is not None
    assert notification_sweep() >= 1
    assert ("requests_app.tasks.send_notification", f"[{ack.pk}]") in queued_tasks(broker)
    assert redis.Redis.from_url(broker).llen("celery") >= 2


@pytest.mark.usefixtures("settings")
@pytest.mark.django_db
def test_a_broker_that_failed_does_not_stop_publishes_to_another(broker):
    request = submit().request
    record = PipelineRecord.objects.get(request=request)
    point_celery_at(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    assert pipeline_publish(record.pk, request.pk) is False
    point_celery_at(broker)
    assert pipeline_publish(record.pk, request.pk) is True
