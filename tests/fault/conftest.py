"""Real processes that the fault-injection tests stop, kill and start again.

Every test here gets a Redis server of its own (never the session's shared
one, and never TEST_REDIS_URL's, which other tests rely on), an SMTP server
that can go down and come back on the same port, and workers started on
demand, each with its own log so a restart waits for its own "ready".
"""

from __future__ import annotations

import itertools
import logging

import pytest

from clinic.celery import app as celery_app
from requests_app.triage import warm_up
from tests.conftest import point_celery_at
from tests.support.processes import CeleryBeat, CeleryWorker, RedisServer
from tests.support.smtp import SmtpSink

logger = logging.getLogger(__name__)


@pytest.fixture
def own_redis(tmp_path, settings):
    """A Redis server only this test uses (append-only file on), which this process publishes to."""
    previous = celery_app.conf.broker_url
    server = RedisServer(tmp_path / "redis")
    server.start()
    settings.CELERY_BROKER_URL = server.url
    point_celery_at(server.url)
    yield server
    server.stop()
    point_celery_at(previous)


@pytest.fixture
def sink():
    """An SMTP server counting what it accepts; stop() and start() keep its port and its count."""
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(own_redis, sink, tmp_path, request):
    """Start a real `celery worker` sending to `sink`; each call is a fresh process with its own log."""
    workers: list[CeleryWorker] = []
    numbers = itertools.count(1)

    def start(concurrency: int = 2, prefetch_multiplier: int | None = None) -> CeleryWorker:
        worker = CeleryWorker(
            own_redis.url,
            tmp_path / f"worker-{next(numbers)}.log",
            concurrency=concurrency,
            extra_env=sink.settings_env(),
            prefetch_multiplier=prefetch_multiplier,
        )
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.kill()  # the test is over (see CeleryWorker.kill)
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for worker in workers:
            print(f"--- {worker.log_path.name} ---\n{worker.log()[-4000:]}")


@pytest.fixture
def beat(own_redis, tmp_path, request):
    """A real `celery beat` process with production's schedule (settings.CELERY_BEAT_SCHEDULE), started."""
    process = CeleryBeat(own_redis.url, tmp_path / "beat")
    process.start()
    yield process
    process.kill()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- beat.log ---\n{process.log()[-4000:]}")


@pytest.fixture(autouse=True)
def _triage_built():
    """A web process builds triage's pipeline at start-up (clinic/wsgi.py); the tests' live server does not.

    Without this, the first real submission builds it (a second or two of CPU)
    in the middle of a test that times answers and deliveries.
    """
    warm_up()
