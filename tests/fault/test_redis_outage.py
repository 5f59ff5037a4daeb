"""Redis goes away and comes back: the web answers at once, the outbox loses nothing, the worker resumes.

Real parts, as in production: the web is pytest-django's live server (a real
HTTP server in this process, answering on its own threads); Redis is a
redis-server process of this test's own (append-only file on) that the test
stops and starts on the same port; the worker is a real `celery worker`
process (4 processes, as docker-compose.yml runs it) and beat a real `celery
beat` process with production's schedule (settings.CELERY_BEAT_SCHEDULE:
the outbox re-published every 10 s, emails swept every 10 s) and
production's thresholds (a request never published goes out again once it
is 15 s old; an email the broker refused, at the next sweep). Nothing is sped
up. The email goes over SMTP to a real server (aiosmtpd) that counts what it
accepts.

Redis stays down for OUTAGE seconds: long enough that Celery's default
reconnect schedule (2, 4, 6, 8 s between attempts) would next try 6 s after
Redis is back; the worker's consumer (requests_app/worker.py) tries every
RECONNECT_INTERVAL_MAX (2) s, and beat's scheduler (requests_app/beat.py)
every 3 s when, as here, its first send comes during the outage. The worker also hands back the work in the
messages it held when Redis went away (Redis would keep them from everyone
for the visibility timeout, an hour).
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import kombu.utils.functional
import pytest
from django.db import transaction
from django.utils import timezone

from clinic.celery import app as celery_app
from requests_app.beat import PromptReconnectScheduler
from requests_app.models import (
    AppointmentRequest,
    Callback,
    Heartbeat,
    Notification,
    NotificationStatus,
    PipelineRecord,
    PipelineStatus,
)
from requests_app.services.notifications import notification_queue, notification_sweep
from requests_app.services.pipeline import HANDED_BACK
from requests_app.tasks import heartbeat
from requests_app.worker import RECONNECT_INTERVAL_MAX, RECONNECT_INTERVAL_START, RECONNECT_INTERVAL_STEP
from tests.fault.helpers import deliveries, duplicated_message_ids, post_json, queued_messages
from tests.support.bulk import bulk_callbacks
from tests.support.intake import patient_fields
from tests.support.matching import must_search
from tests.support.processes import Watch, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 200
REDIS_STOPS_BEFORE = 50
REDIS_STARTS_BEFORE = 150
# One every 50 ms: the worker keeps up while Redis is there, so the time to
# recover measures the recovery, not a backlog that a burst of 40 a second
# would build up anyway.
INTERVAL = 0.05
# Redis is down this long (the 100 submissions during it take about 5 s).
OUTAGE = 24.0
ANSWER_WITHIN = 2.0
# The recovery, timed by its mechanisms rather than by how fast a loaded machine drains the backlog:
# the worker is back on Redis within one reconnect interval (and the connect itself) ...
WORKER_BACK_WITHIN = RECONNECT_INTERVAL_MAX + 2.0
# ... and beat hands the outbox's requests to it at its first tick once it has reconnected (every 10 s;
# by then they are older than the 15 s the outbox waits), with its own 3 s reconnect.
REPUBLISHED_WITHIN = 10.0 + 3.0 + 2.0
# Then every callback and email: how fast 100 requests and 200 emails drain depends on the machine
# and its load (`make bench` measures the pace), so this is a bound on "all of them", not a speed.
DRAINED_WITHIN = 120.0
# Beat's outbox tasks (every 10 s): what could send anything twice after the queue drained.
BEAT_OUTBOX_TASKS = ("requests_app.tasks.republish_pipeline", "requests_app.tasks.sweep_notifications")
# Long enough that kombu's default schedule would wait 14 s between attempts by now.
BEAT_OUTAGE = 57.5  # mid-wait: Redis is back between two attempts


@pytest.fixture
def unthrottled(settings):
    """All submissions come from one address; the per-address limit is not what is tested here."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "appointment_request": "100000/minute",
        },
    }


@pytest.mark.usefixtures("beat", "unthrottled")
def test_submissions_while_redis_is_down_are_answered_at_once_and_all_processed_once_it_returns(
    own_redis, sink, start_worker, live_server, settings
):
    worker = start_worker(concurrency=4)  # as docker-compose.yml runs it
    url = f"{live_server.url}/api/v1/appointment-requests/"
    # Warm-up: a first request imports and loads what the process serves with
    # (views, phone-number metadata); a server in production has done that
    # long before Redis fails. Invalid, so nothing is stored.
    assert post_json(url, {"phone": "+16035550142"})[0] == 400

    answers: list[tuple[int, float]] = []
    emails: list[str] = []
    references: list[str] = []
    for n in range(SUBMISSIONS):
        time.sleep(max(0.0, INTERVAL - (answers[-1][1] if answers else 0.0)))
        if n == REDIS_STOPS_BEFORE:
            print(f"Redis stopped at {timezone.now():%H:%M:%S.%f}")
            own_redis.stop()
            stopped_at = time.monotonic()
        if n == REDIS_STARTS_BEFORE:
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped_at)))
            logged = len(worker.log())
            # Taken as the process is launched, not once start() has seen it
            # answer a ping: beat may reach the new Redis (and publish) first.
            back_at, back_at_wall = time.monotonic(), timezone.now()
            own_redis.start()
            print(f"Redis started at {back_at_wall:%H:%M:%S.%f}")
            worker_back = Watch(logged_since(worker, logged, "Connected to redis://"), WORKER_BACK_WITHIN + 5)
        fields = patient_fields()
        status, body, seconds = post_json(url, fields)
        answers.append((status, seconds))
        emails.append(fields["email"])
        references.append(body.get("reference", ""))

    slowest = max(seconds for _, seconds in answers)
    slowest_while_down = max(seconds for _, seconds in answers[REDIS_STOPS_BEFORE:REDIS_STARTS_BEFORE])
    slowest_at = max(range(SUBMISSIONS), key=lambda n: answers[n][1])
    print(f"slowest answer {slowest:.3f} s (#{slowest_at}); slowest while Redis was down {slowest_while_down:.3f} s")
    assert Counter(status for status, _ in answers) == {201: SUBMISSIONS}
    assert slowest < ANSWER_WITHIN, [round(s, 3) for _, s in answers]

    # The web's own after-commit publishes went through at once before the
    # outage and after it; none made during it (the outbox has those, and
    # only Redis's return let beat publish them). A task the worker was running
    # when Redis went away was cancelled and handed back (published_at cleared
    # for the next beat, and the record says so): its first publish was the web's.
    records = pipeline_records(references)
    handed_back = [n for n, reference in enumerate(references) if records[reference][2] == HANDED_BACK]
    print(f"tasks handed back when Redis went away: {handed_back}")
    for n, reference in enumerate(references):
        created_at, published_at, _ = records[reference]
        if REDIS_STOPS_BEFORE <= n < REDIS_STARTS_BEFORE:
            assert published_at is None or published_at >= back_at_wall, n
        elif n in handed_back:
            assert n < REDIS_STOPS_BEFORE, n  # only a task running when Redis stopped is cancelled
        else:
            assert published_at is not None and (published_at - created_at).total_seconds() < 1, n

    desk = settings.CLINIC["FRONT_DESK_EMAIL"]
    all_callbacks = wait_until(
        lambda: Callback.objects.filter(request__reference__in=references).count() == SUBMISSIONS, DRAINED_WITHIN
    )
    callbacks_after = time.monotonic() - back_at
    all_mail = wait_until(
        lambda: len(sink.messages) >= 2 * SUBMISSIONS,
        max(0.0, DRAINED_WITHIN - (time.monotonic() - back_at)),
    )
    mail_after = time.monotonic() - back_at
    print(f"after Redis came back: all callbacks in {callbacks_after:.1f} s, all email in {mail_after:.1f} s")
    assert all_callbacks, Callback.objects.count()
    if not all_mail:
        pytest.fail(f"not all email arrived within {DRAINED_WITHIN:.0f} s: {undelivered(sink, emails, desk)}")

    reconnected_after = worker_back.result() - back_at
    print(f"the worker was back on Redis {reconnected_after:.1f} s after it started")
    assert reconnected_after <= WORKER_BACK_WITHIN, worker.log()[logged:]
    records = pipeline_records(references[REDIS_STOPS_BEFORE:REDIS_STARTS_BEFORE])
    published = [published_at for _, published_at, _ in records.values()]
    assert None not in published, records
    republished_after = max((at - back_at_wall).total_seconds() for at in published if at is not None)
    print(f"every request made during the outage was handed to the worker within {republished_after:.1f} s")
    assert republished_after <= REPUBLISHED_WITHIN

    # Nothing twice: let the queue drain and beat's outbox tasks run once more (what they re-publish
    # included), then count.
    assert wait_until(lambda: queued_messages(own_redis.url) == 0, 30)
    logged = len(worker.log())
    ran = [re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded") for task in BEAT_OUTBOX_TASKS]
    assert wait_until(lambda: all(done.search(worker.log()[logged:]) for done in ran), 30), worker.log()[logged:]
    assert wait_until(lambda: queued_messages(own_redis.url) == 0, 30)
    received = deliveries(sink)
    assert {email: received[email] for email in emails} == dict.fromkeys(emails, 1)
    assert received[desk] == SUBMISSIONS
    assert len(sink.messages) == 2 * SUBMISSIONS
    assert duplicated_message_ids(sink) == []
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()
    assert not PipelineRecord.objects.exclude(status=PipelineStatus.DONE).exists()


def logged_since(worker, offset: int, text: str) -> Callable[[], bool]:
    """Whether the worker has logged `text` after the first `offset` characters of its log."""
    return lambda: text in worker.log()[offset:]


def pipeline_records(references: list[str]) -> dict[str, tuple[datetime, datetime | None, str]]:
    """Each request's outbox record: (created_at, published_at, last_error), by the request's reference."""
    return {
        reference: (created_at, published_at, last_error)
        for reference, created_at, published_at, last_error in PipelineRecord.objects.filter(
            request__reference__in=references
        ).values_list("request__reference", "created_at", "published_at", "last_error")
    }


def undelivered(sink, patients: list[str], desk: str) -> dict:
    """What the SMTP server is missing, with the rows that were meant to bring it."""
    received = deliveries(sink)
    missing = [address for address in patients if received[address] == 0]
    return {
        "accepted": len(sink.messages),
        "desk copies": received[desk],
        "patients missing": missing,
        "their rows": list(
            Notification.objects.filter(recipient__in=missing).values(
                "pk", "status", "attempts", "sent_at", "last_error"
            )
        ),
        "rows not sent": list(
            Notification.objects.exclude(status=NotificationStatus.SENT).values(
                "pk", "status", "attempts", "created_at", "sending_since", "unqueued_at", "next_attempt_at"
            )
        ),
    }


def test_the_worker_resumes_consuming_after_redis_restarts_under_it(own_redis, start_worker):
    worker = start_worker()
    heartbeat.delay("before-restart")
    assert wait_until(lambda: Heartbeat.objects.filter(name="before-restart").exists(), 30), worker.log()

    logged = len(worker.log())
    own_redis.stop()
    # Redis comes back once the worker has seen it go (not after a guessed pause).
    assert wait_until(lambda: "Connection to broker lost" in worker.log()[logged:], 10), worker.log()
    own_redis.start()
    restarted_at = time.monotonic()
    heartbeat.delay("after-restart")  # the test process's pooled connection died with the old server

    assert wait_until(lambda: Heartbeat.objects.filter(name="after-restart").exists(), 30), worker.log()
    print(f"the task queued after the restart ran {time.monotonic() - restarted_at:.1f} s later")
    assert worker.process.poll() is None


def test_emails_a_worker_held_when_redis_went_away_go_out_at_the_next_sweep_not_after_the_visibility_timeout(
    own_redis, sink, start_worker
):
    # One pool process, four messages taken: one email being sent (held by the SMTP server at MAIL FROM,
    # before anything is committed), three waiting for the process. Celery drops those three when it
    # loses Redis, and Redis keeps them unacknowledged for the visibility timeout (an hour).
    worker = start_worker(concurrency=1, prefetch_multiplier=4)
    bulk_callbacks(1)
    request = AppointmentRequest.objects.get()
    sink.hold()
    with transaction.atomic():
        rows = [
            notification_queue(event="desk_new_request", recipient=f"desk{n}@clinic.example", request=request)
            for n in range(4)
        ]
    ids = [row.pk for row in rows if row is not None]
    assert len(ids) == len(rows)
    assert wait_until(
        lambda: queued_messages(own_redis.url) == 0
        and Notification.objects.filter(pk__in=ids, status=NotificationStatus.SENDING).count() == 1,
        10,
    ), worker.log()

    own_redis.stop()
    assert wait_until(lambda: Notification.objects.filter(pk__in=ids, unqueued_at__isnull=False).count() == 4, 10), (
        list(Notification.objects.filter(pk__in=ids).values("pk", "status", "unqueued_at"))
    )
    assert not Notification.objects.filter(pk__in=ids).exclude(status=NotificationStatus.PENDING).exists()
    sink.release()

    own_redis.start()
    assert wait_until(lambda: notification_sweep() == 4, 15)  # beat's next sweep, once the broker answers
    assert wait_until(lambda: len(sink.messages) >= 4, 30), worker.log()
    time.sleep(2)
    received = deliveries(sink)
    assert {f"desk{n}@clinic.example": received[f"desk{n}@clinic.example"] for n in range(4)} == dict.fromkeys(
        [f"desk{n}@clinic.example" for n in range(4)], 1
    )
    assert Notification.objects.filter(pk__in=ids, status=NotificationStatus.SENT).count() == 4


@dataclass
class FakeClock:
    """The test's own clock for kombu's waits: seconds slept so far, and when Redis was started again."""

    now: float = 0.0
    back_at: float | None = None


def test_beat_retries_a_lost_redis_every_few_seconds_and_connects_at_the_first_try_after_it_is_back(
    own_redis, tmp_path, caplog, monkeypatch
):
    # Beat connects when it first sends; if Redis is down then, kombu's default waits 2, 4, 6 ... up to
    # 30 s between attempts, sending nothing meanwhile: after a minute's outage beat could find Redis
    # 14 s late. requests_app/beat.py waits 1, 2, then 3 s. (This is the call beat makes to get its producer.)
    # The waits between attempts are time logic: kombu's sleep is recorded on a clock of the test's own,
    # not waited; the attempts themselves go to a real Redis, stopped and started.
    own_redis.stop()
    scheduler = PromptReconnectScheduler(app=celery_app, schedule_filename=str(tmp_path / "beat-schedule"), lazy=True)
    clock = FakeClock()

    def sleep(seconds: float) -> None:
        clock.now += seconds
        if clock.back_at is None and clock.now >= BEAT_OUTAGE:
            own_redis.start()
            clock.back_at = clock.now
        assert clock.now < BEAT_OUTAGE + 60, "beat never connected"

    monkeypatch.setattr(kombu.utils.functional, "sleep", sleep)
    with caplog.at_level(logging.ERROR, logger="requests_app.beat"), scheduler._ensure_connected():
        connected_at = clock.now
    assert clock.back_at is not None, "Redis never came back"
    waits = [float(must_search(r"again in ([0-9.]+) seconds", r.getMessage()).group(1)) for r in caplog.records]
    print(f"waits between attempts {waits}; connected {connected_at - clock.back_at:.1f} s after Redis came back")
    interval = RECONNECT_INTERVAL_START + RECONNECT_INTERVAL_MAX
    assert waits[:3] == [RECONNECT_INTERVAL_START, RECONNECT_INTERVAL_START + RECONNECT_INTERVAL_STEP, interval]
    assert set(waits[3:]) == {interval}
    assert sum(waits) == connected_at, "an attempt after every wait, and no wait after the attempt that connected"
    assert connected_at - clock.back_at <= interval
