"""Small helpers for the fault-injection tests: HTTP posts, broker and mailbox counts."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter

import redis

from tests.support.smtp import SmtpSink

QUEUE = "celery"  # Celery's default queue: a Redis list of that name


def post_json(url: str, body: dict, timeout: float = 10) -> tuple[int, dict, float]:
    """POST `body` as JSON: the status code, the JSON answer and the wall time until it was all read."""
    request = urllib.request.Request(  # noqa: S310 (the live server's http:// URL)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw = error.read()
        status = error.code
    elapsed = time.monotonic() - started
    return status, json.loads(raw or b"{}"), elapsed


def queued_messages(broker_url: str) -> int:
    """Messages waiting in the queue (not those a worker holds unacknowledged)."""
    # redis-py annotates its commands for the sync and the asyncio client at once (Awaitable[int] | int).
    return redis.Redis.from_url(broker_url).llen(QUEUE)  # type: ignore[return-value]


def queued_tasks(broker_url: str) -> list[tuple[str, str]]:
    """(task name, its arguments as Celery shows them) of every message waiting in the queue."""
    # redis-py annotates its commands for the sync and the asyncio client at once (Awaitable[list] | list).
    raw: list[bytes] = redis.Redis.from_url(broker_url).lrange(QUEUE, 0, -1)  # type: ignore[assignment]
    return [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in map(json.loads, raw)]


def deliveries(sink: SmtpSink) -> Counter:
    """How many messages the SMTP server accepted for each envelope recipient."""
    return Counter(m["X-Envelope-To"] for m in sink.messages)


def duplicated_message_ids(sink: SmtpSink) -> list[str]:
    counts = Counter(m["Message-ID"] for m in sink.messages)
    return sorted(mid for mid, n in counts.items() if n > 1)
