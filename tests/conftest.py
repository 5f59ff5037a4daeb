"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import hypothesis
import pytest
import redis
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.management import create_contenttypes
from django.core.cache import cache
from kombu import pools as kombu_pools

from articles.cache import forget_local_pages
from clinic.celery import app as celery_app
from requests_app.models import StaffProfile
from requests_app.roles import FRONT_DESK, SUPERVISOR, ensure_groups
from tests.support.processes import CeleryWorker, RedisServer
from tests.support.smtp import SmtpSink

ROOT = Path(__file__).resolve().parent.parent

# CI explores the same examples on every run, so a red build points at a
# change, not at a new random draw; locally every run explores new inputs.
hypothesis.settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")


def point_celery_at(broker_url: str) -> None:
    """Make this test process publish to `broker_url` from now on."""
    # celery-types declares these Settings properties read-only; Celery's own Settings sets them.
    celery_app.conf.broker_url = broker_url  # type: ignore[misc]
    celery_app.conf.broker_write_url = broker_url  # type: ignore[misc]
    celery_app.conf.broker_read_url = broker_url  # type: ignore[misc]
    # Celery caches its connection and producer pools (kombu keeps them
    # globally); drop them all so the next publish connects afresh.
    kombu_pools.reset()
    # Private caches celery-types does not declare (Celery.pool and AMQP.producer_pool build them).
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A real Redis: TEST_REDIS_URL's (CI's Debian redis-server), or one started here.

    Not REDIS_URL: the tests empty the database, and a developer's own Redis
    must never be emptied by accident.
    """
    if os.environ.get("TEST_REDIS_URL"):
        yield _this_workers_database(os.environ["TEST_REDIS_URL"])
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def _this_workers_database(url: str) -> str:
    """Under pytest-xdist, each worker gets a Redis database of its own (the URL's plus the worker's number).

    The tests empty their database: two workers sharing one would empty each other's queue.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    return urlunsplit(parts._replace(path=f"/{database}"))


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
    worker.kill()  # the test is over (see CeleryWorker.kill)
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(worker.log()[-5000:])


# The longest tests, started first when pytest-xdist spreads the suite over several workers (`make test`):
# started last, one of them keeps one worker busy long after the others are done.
LONGEST_FIRST = (
    "tests/test_fuzz_api.py",
    "tests/test_triage_engine.py",
    "tests/test_fuzz_form.py",
    "tests/test_triage_corpus.py",
    "tests/e2e/",
    "tests/test_api_schema_rules.py",
)


@pytest.hookimpl(tryfirst=True)  # before -m deselects anything
def pytest_collection_modifyitems(config, items):
    # `make test` and CI collect the fault-injection tests from tests/fault/ alone (collecting the
    # whole suite to pick them costs seconds): a test marked `fault` anywhere else would run nowhere.
    astray = [item.nodeid for item in items if item.get_closest_marker("fault") and "tests/fault/" not in item.nodeid]
    if astray:
        raise pytest.UsageError(f"marked fault but not in tests/fault/: {astray}")
    if not hasattr(config, "workerinput"):  # only in pytest-xdist's workers, whose order the scheduler follows
        return

    def rank(item) -> int:
        path = item.nodeid
        return next((n for n, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: each file keeps its own order


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The production hasher costs half a second per staff user; tests need no such strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and cached pages live in the cache: every test starts with none."""
    cache.clear()
    forget_local_pages()
    yield
    cache.clear()
    forget_local_pages()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) that this process's email goes to."""
    sink = SmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()


def _staff(username: str, group: str | None, *, on_shift: bool = False):
    # A transactional test before this one may have flushed the migration's groups.
    if not Group.objects.exists():
        app_config = apps.get_app_config("requests_app")
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
        ensure_groups(Group, Permission)

    user = User.objects.create_user(
        username=username,
        password="a-long-test-password-42",
        email=f"{username}@clinic.example",
        first_name=username.title(),
        is_staff=True,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    StaffProfile.objects.create(user=user, on_shift=on_shift)
    return user


@pytest.fixture
def front_desk(db):  # noqa: ARG001 (requested for its effect: database access)
    return _staff("dana", FRONT_DESK, on_shift=True)


@pytest.fixture
def other_front_desk(db):  # noqa: ARG001 (requested for its effect: database access)
    return _staff("eli", FRONT_DESK, on_shift=True)


@pytest.fixture
def supervisor(db):  # noqa: ARG001 (requested for its effect: database access)
    return _staff("sam", SUPERVISOR)


@pytest.fixture
def staff_without_group(db):  # noqa: ARG001 (requested for its effect: database access)
    return _staff("nora", None)
