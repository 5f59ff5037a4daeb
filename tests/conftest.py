"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
from kombu import pools as kombu_pools

from clinic.celery import app as celery_app
from tests.support.processes import CeleryWorker, RedisServer

ROOT = Path(__file__).resolve().parent.parent


def point_celery_at(broker_url: str) -> None:
    """Make this test process publish to `broker_url` from now on."""
    celery_app.conf.broker_url = broker_url
    # Celery caches its connection and producer pools (kombu keeps them
    # globally); drop them all so the next publish connects afresh.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """A real Redis: TEST_REDIS_URL's (CI's Debian redis-server), or one started here.

    Not REDIS_URL: the tests empty the database, and a developer's own Redis
    must never be emptied by accident.
    """
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def broker(redis_url, settings):
    """An empty real Redis broker that this process publishes to."""
    redis.Redis.from_url(redis_url).flushdb()
    settings.CELERY_BROKER_URL = redis_url
    point_celery_at(redis_url)
    yield redis_url
    point_celery_at(redis_url)


@pytest.fixture
def celery_worker(broker, tmp_path, request):
    """A real `celery worker` process consuming from `broker`, using the test database."""
    worker = CeleryWorker(broker, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(worker.log()[-5000:])


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
