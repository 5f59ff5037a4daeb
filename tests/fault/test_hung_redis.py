"""Redis hangs under submissions: every answer within 2 s, every request processed once Redis answers again.

A Redis that refuses connections is the easy failure (test_redis_outage.py):
a publish learns it in a millisecond. A Redis that stops answering
(swapping, paused by its host, a network path that drops packets) is the
hard one: the kernel still accepts connections and the connection the web
already holds stays open, so a publish waits for an answer that does not
come. Before the publish was bounded, 200 submissions at 10 a second with
Redis stopped for 20 s were answered in 8 s (median), 17 s at worst: each
publish waited for the transport's 3 s socket timeout while ten others
queued for Celery's ten pooled producers.

Here Redis is stopped with SIGSTOP (and continued with SIGCONT) while
patients submit at a steady 10 a second from their own threads, as real
traffic arrives: a slow answer does not slow the next submission down. The
web's publish gives up within its own timeout, the circuit breaker
(requests_app/services/broker.py) skips publishing for the next few
seconds, and the outbox publishes those requests once Redis answers. The
cache that holds the rate limit's counters is on the same Redis, as
docker-compose.yml runs it, so the rate limit meets the hang too.

Real parts, as in test_redis_outage.py: the live server's threads, a real
worker and beat with production's schedule and thresholds (nothing sped
up), and an SMTP server counting what it accepts.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from clinic.settings import cache_config
from requests_app.models import Callback, Notification, NotificationStatus, PipelineRecord, PipelineStatus
from requests_app.services.broker import publish
from requests_app.services.pipeline import REPUBLISH_UNPUBLISHED_AFTER
from requests_app.tasks import process_new_request
from tests.fault.helpers import deliveries, duplicated_message_ids, post_json
from tests.support.intake import patient_fields
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]

RATE = 10.0  # submissions a second, each on its own thread
BEFORE = 10  # while Redis answers: the web's publish connection is established when the hang comes
DURING = 70  # 7 s of submissions while Redis is stopped
AFTER = 5  # once the circuit breaker's window has passed: the web publishes at once again
ANSWER_WITHIN = 2.0
# A request the web could not publish waits in the outbox until it is REPUBLISH_UNPUBLISHED_AFTER
# old (15 s), then for beat's next tick (every 10 s); an email whose publish from the worker did not
# go (the worker's publishes are bounded alike) waits for the next sweep (10 s); 10 s for the work.
PROCESSED_WITHIN = REPUBLISH_UNPUBLISHED_AFTER.total_seconds() + 10 + 10 + 10
CLIENT_TIMEOUT = 30.0  # so that an answer slower than ANSWER_WITHIN is measured, not cut short


@pytest.fixture
def unthrottled(settings):
    """All submissions come from one address; the per-address limit is not what is tested here.

    The limit is still checked at every submission: its counter lives in the cache.
    """
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "appointment_request": "100000/minute",
        },
    }


@pytest.fixture
def cache_on_own_redis(own_redis, settings):
    """The shared cache on the broker's Redis (database 1), configured as settings does it for CACHE_URL."""
    settings.CACHES = {"default": cache_config(f"redis://127.0.0.1:{own_redis.port}/1")}
    yield
    redis.Redis(port=own_redis.port, db=1).flushdb()


def submit_steadily(url: str, count: int) -> list[tuple[int, float, str, str]]:
    """`count` submissions at RATE a second, each on its own thread: (status, seconds, email, reference) each."""

    def one(fields: dict) -> tuple[int, float, str, str]:
        started = time.monotonic()
        try:
            status, body, seconds = post_json(url, fields, timeout=CLIENT_TIMEOUT)
        except OSError:  # no answer at all within CLIENT_TIMEOUT
            return 0, time.monotonic() - started, fields["email"], ""
        return status, seconds, fields["email"], body.get("reference", "")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = []
        for n in range(count):
            time.sleep(max(0.0, started + n / RATE - time.monotonic()))
            futures.append(pool.submit(one, patient_fields()))
        return [future.result() for future in futures]


def last_sent() -> list[tuple[int, str, float, int]]:
    """The three emails sent last: how long each took, from its row to the SMTP server."""
    rows = Notification.objects.filter(sent_at__isnull=False).order_by("-sent_at")[:3]
    sent = []
    for row in rows:
        assert row.sent_at is not None  # the filter's sent_at__isnull=False
        sent.append((row.pk, row.event, round((row.sent_at - row.created_at).total_seconds(), 1), row.attempts))
    return sent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@pytest.mark.usefixtures("beat", "unthrottled", "cache_on_own_redis")
def test_with_redis_hung_every_answer_comes_within_2_s_and_every_request_is_processed_once_it_answers(
    own_redis, sink, start_worker, live_server, settings
):
    start_worker(concurrency=4)  # as docker-compose.yml runs it
    url = f"{live_server.url}/api/v1/appointment-requests/"
    # Warm-up, invalid so nothing is stored: a server in production has loaded what it serves with.
    assert post_json(url, {"phone": "+16035550142"})[0] == 400

    before = submit_steadily(url, BEFORE)
    with own_redis.paused_for():
        paused_at = timezone.now()
        during = submit_steadily(url, DURING)  # every answer is in before Redis answers again
    resumed_at, resumed_at_wall = time.monotonic(), timezone.now()
    time.sleep(max(0.0, resumed_at + settings.BROKER_CIRCUIT_OPEN_SECONDS + 0.5 - time.monotonic()))
    after = submit_steadily(url, AFTER)
    submissions = before + during + after

    hung = [seconds for _, seconds, _, _ in during]
    print(
        f"answers while Redis was stopped ({len(hung)} over {(resumed_at_wall - paused_at).total_seconds():.1f} s): "
        f"p50 {statistics.median(hung):.3f} s, p95 {percentile(hung, 0.95):.3f} s, max {max(hung):.3f} s"
    )
    assert [status for status, _, _, _ in submissions] == [201] * len(submissions)
    slow = [(n, round(seconds, 3)) for n, (_, seconds, _, _) in enumerate(submissions) if seconds >= ANSWER_WITHIN]
    assert slow == [], f"answers slower than {ANSWER_WITHIN} s (#, seconds)"

    # Every request is processed once Redis answers: its callback made and both emails sent, each once.
    references = [reference for _, _, _, reference in submissions]
    emails = [email for _, _, email, _ in submissions]
    all_callbacks = wait_until(
        lambda: Callback.objects.filter(request__reference__in=references).count() == len(references),
        PROCESSED_WITHIN,
    )
    callbacks_after = time.monotonic() - resumed_at
    all_mail = wait_until(
        lambda: len(sink.messages) >= 2 * len(references), max(0.0, PROCESSED_WITHIN - callbacks_after)
    )
    mail_after = time.monotonic() - resumed_at
    print(f"after Redis answered again: every callback in {callbacks_after:.1f} s, every email in {mail_after:.1f} s")
    print(f"the emails sent last (id, event, seconds from created to sent, attempts): {last_sent()}")
    assert all_callbacks, f"{Callback.objects.count()} of {len(references)} callbacks"
    assert all_mail, f"{len(sink.messages)} of {2 * len(references)} emails"

    # Every row is done, so nothing can be sent again (a send claims a pending row): the counts are final.
    # (A message whose acknowledgement timed out during the hang stays in Redis's unacked set; the
    # worker ran it, and if Redis ever hands it out again, it finds its row done.)
    assert wait_until(
        lambda: not Notification.objects.exclude(status=NotificationStatus.SENT).exists()
        and not PipelineRecord.objects.exclude(status=PipelineStatus.DONE).exists(),
        10,
    )
    received = deliveries(sink)
    assert {email: received[email] for email in emails} == dict.fromkeys(emails, 1)
    assert received[settings.CLINIC["FRONT_DESK_EMAIL"]] == len(references)
    assert len(sink.messages) == 2 * len(references)
    assert duplicated_message_ids(sink) == []

    # The web published at once before the hang and after the breaker's window; nothing it
    # published counted as published while Redis was stopped (beat published those later).
    published = dict(
        PipelineRecord.objects.filter(request__reference__in=references).values_list(
            "request__reference", "published_at"
        )
    )
    created = dict(
        PipelineRecord.objects.filter(request__reference__in=references).values_list("request__reference", "created_at")
    )
    for reference in references[:BEFORE] + references[-AFTER:]:
        published_at = published[reference]
        assert published_at is not None, reference
        assert published_at - created[reference] < timedelta(seconds=1), reference
    for reference in references[BEFORE:-AFTER]:
        published_at = published[reference]
        assert published_at is None or published_at >= resumed_at_wall, reference


@pytest.mark.parametrize("connection", ["established", "new"])
def test_a_publish_into_a_hung_redis_gives_up_within_its_timeout_and_the_next_is_not_tried(
    own_redis, settings, connection
):
    # "established": the pool's connection was open when Redis hung (a web process in service);
    # "new": the process's first publish (a web process started during the hang).
    if connection == "established":
        assert publish(process_new_request, 1, fallback="-") is True
    with own_redis.paused_for():
        started = time.monotonic()
        assert publish(process_new_request, 2, fallback="-") is False
        first = time.monotonic() - started
        started = time.monotonic()
        assert publish(process_new_request, 3, fallback="-") is False
        second = time.monotonic() - started
    print(f"{connection} connection: the publish gave up after {first:.3f} s; the next one after {second:.4f} s")
    assert settings.BROKER_PUBLISH_TIMEOUT <= first < 2 * settings.BROKER_PUBLISH_TIMEOUT
    assert second < 0.05

    # Redis answers again: once the window is over, one publish tries, and it goes through.
    settings.BROKER_CIRCUIT_OPEN_SECONDS = 0
    assert publish(process_new_request, 4, fallback="-") is True
