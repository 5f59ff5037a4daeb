"""Real processes that the fault-injection tests stop, kill and start again.

Every test here gets a Redis server of its own (never the session's shared
one, and never TEST_REDIS_URL's, which other tests rely on), an SMTP server
that can go down and come back on the same port, and workers started on
demand, each with its own log so a restart waits for its own "ready".
"""

from __future__ import annotations

import itertools
import logging
import threading
from datetime import timedelta

import pytest
from django import db

from clinic.celery import app as celery_app
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

    def start(concurrency: int = 2) -> CeleryWorker:
        worker = CeleryWorker(
            own_redis.url,
            tmp_path / f"worker-{next(numbers)}.log",
            concurrency=concurrency,
            extra_env=sink.settings_env(),
        )
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()
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
    process.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- beat.log ---\n{process.log()[-4000:]}")


class FastBeat:
    """Beat's two outbox tasks, run by a thread of the test process every `period` seconds.

    It calls the same service functions as the beat tasks `republish_pipeline`
    and `sweep_notifications`; only the schedule is faster and the thresholds
    shorter (the `fast_beat` fixture sets them), so that recovery shows within
    a test's time. A tick that fails (Redis down, the database busy) is
    logged and retried at the next tick, as beat's would be.
    """

    def __init__(self, *, period: float, republish_after: timedelta) -> None:
        self.period = period
        self.republish_after = republish_after
        self.ticks = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> None:
        from requests_app.services.notifications import notification_sweep
        from requests_app.services.pipeline import pipeline_republish_stale

        pipeline_republish_stale(older_than=self.republish_after)
        notification_sweep()
        self.ticks += 1

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.period):
                try:
                    self.tick()
                except Exception:
                    logger.exception("fast beat tick failed; trying again at the next one")
        finally:
            db.connection.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fast-beat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)


@pytest.fixture
def fast_beat(monkeypatch):
    """A FastBeat, not yet started: every 2 s, re-publish or re-queue what is pending for 5 s (sending for 15 s).

    The thresholds are module constants of `notifications`, monkeypatched in
    this (the test) process, which is where the sweep runs. 15 s for a row
    stuck in "sending" is still longer than any send can take here (the
    worker's EMAIL_TIMEOUT is 5 s against a local server), so a live send is
    never taken for a dead one.
    """
    from requests_app.services import notifications

    monkeypatch.setattr(notifications, "STALE_PENDING_AFTER", timedelta(seconds=5))
    monkeypatch.setattr(notifications, "STALE_SENDING_AFTER", timedelta(seconds=15))
    beat = FastBeat(period=2.0, republish_after=timedelta(seconds=5))
    yield beat
    beat.stop()
