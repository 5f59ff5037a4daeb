"""A burst: 1,000 API submissions sent as fast as the server takes them (a newsletter went out).

With the worker (1 or 2 processes) and beat running, as in production, and
the front desk's queue page loaded again and again while it lasts:

- when each acknowledgement reached the SMTP sink, against the first
  submission (goal: all within 90 s);
- the queue page's p95 during the burst (goal: 300 ms);
- the drain rate: submissions fully processed (callback, acknowledgement and
  the desk's email at the sink) per second, from the first submission to the
  last one done;
- nothing lost and nothing sent twice, counted at the sink: exactly one
  acknowledgement and one desk email per accepted submission.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench import loadgen
from bench.latency import API_PATH, percentile, summarize
from bench.stack import RECEIVED_AT_HEADER

SUBMISSIONS = 1000
CONNECTIONS = 4
ACK_WITHIN_S = 90.0
QUEUE_P95_MAX_MS = 300.0
QUEUE_EVERY_S = 0.5
ACK_SUBJECT = re.compile(r"We received your appointment request \((?P<reference>[^)]+)\)")
DESK_SUBJECT = re.compile(r"New appointment request (?P<reference>\S+) \(")


class _Connection:
    """One keep-alive HTTP connection, as a browser or a load generator keeps it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    return 0, b""
        return 0, b""


def send_all(port: int, bodies: list[dict], connections: int = CONNECTIONS) -> list[dict]:
    """Every body posted to the API over `connections` keep-alive connections, each as soon as the last answered."""
    pending = iter(bodies)
    lock = threading.Lock()
    sent: list[dict] = []
    headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https"}

    def worker() -> None:
        connection = _Connection(port)
        while True:
            with lock:
                body = next(pending, None)
            if body is None:
                return
            started = time.time()
            status, payload = connection.request("POST", API_PATH, json.dumps(body), headers)
            reference = json.loads(payload).get("reference") if status == 201 else None
            with lock:
                sent.append({"sent_at": started, "answered_at": time.time(), "status": status, "reference": reference})

    with ThreadPoolExecutor(connections) as pool:
        for _ in range(connections):
            pool.submit(worker)
    return sent


class QueuePoller(threading.Thread):
    """Loads the front desk's queue page every QUEUE_EVERY_S until stopped; keeps each load's time."""

    def __init__(self, port: int, path: str, cookie: str) -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.cookie = port, path, cookie
        self.times_ms: list[float] = []
        self.failed: Counter = Counter()
        self._stopping = threading.Event()

    def run(self) -> None:
        connection = _Connection(self.port)
        headers = {"Cookie": self.cookie, "X-Forwarded-Proto": "https"}
        while not self._stopping.is_set():
            started = time.perf_counter()
            status, _ = connection.request("GET", self.path, headers=headers)
            elapsed = time.perf_counter() - started
            if status == 200:
                self.times_ms.append(elapsed * 1000)
            else:
                self.failed[status] += 1
            self._stopping.wait(max(0.0, QUEUE_EVERY_S - elapsed))

    def stop(self) -> None:
        self._stopping.set()
        self.join(30)


def _arrivals(sink, pattern: re.Pattern, wanted: set[str], recipient: str | None = None) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for message in sink.messages:
        if recipient is not None and recipient not in str(message["X-Envelope-To"] or ""):
            continue
        match = pattern.search(str(message["Subject"] or ""))
        if match and match["reference"] in wanted and message[RECEIVED_AT_HEADER]:
            found.setdefault(match["reference"], []).append(float(message[RECEIVED_AT_HEADER]))
    return found


def _rounded(ms: float | None) -> float | None:
    return None if ms is None else round(ms, 1)


def measure(
    *,
    port: int,
    sink,
    patients: loadgen.Patients,
    queue_path: str,
    desk_cookie: str,
    desk_email: str,
    workers: int,
    count: int = SUBMISSIONS,
    wait: float = 240.0,
) -> dict:
    """One burst of `count` submissions with the worker and beat already running; then wait for all to be done."""
    from requests_app.models import Callback  # noqa: PLC0415 (app code: after django.setup())

    bodies = [loadgen.api_body(patients) for _ in range(count)]
    poller = QueuePoller(port, queue_path, desk_cookie)
    poller.start()
    sent = send_all(port, bodies)
    accepted = {s["reference"]: s for s in sent if s["reference"]}
    references = set(accepted)
    first_sent = min(s["sent_at"] for s in sent)
    last_answered = max(s["answered_at"] for s in sent)
    deadline = time.monotonic() + wait
    acks: dict[str, list[float]] = {}
    desk: dict[str, list[float]] = {}
    while time.monotonic() < deadline:
        acks = _arrivals(sink, ACK_SUBJECT, references)
        desk = _arrivals(sink, DESK_SUBJECT, references, recipient=desk_email)
        if len(acks) == len(references) and len(desk) == len(references):
            break
        time.sleep(0.5)
    drained_at = time.time()
    poller.stop()
    # A second copy would come from a re-published task or a re-queued email: wait a little for any.
    time.sleep(3)
    acks = _arrivals(sink, ACK_SUBJECT, references)
    desk = _arrivals(sink, DESK_SUBJECT, references, recipient=desk_email)
    callbacks = 0
    listed = list(references)
    for start in range(0, len(listed), 500):
        callbacks += Callback.objects.filter(request__reference__in=listed[start : start + 500]).count()

    done_at = {ref: max(min(acks[ref]), min(desk[ref])) for ref in references if ref in acks and ref in desk}
    ack_after_first = [min(times) - first_sent for times in acks.values()]
    last_done = max(done_at.values(), default=first_sent)
    done_after_sending = [t for t in done_at.values() if t > last_answered]
    queue = poller.times_ms
    return {
        "workers": workers,
        "submissions": count,
        "sent": len(sent),
        "accepted": len(accepted),
        "refused": dict(Counter(str(s["status"]) for s in sent if not s["reference"])),
        "sending_seconds": round(last_answered - first_sent, 2),
        "accepted_per_s": round(len(accepted) / (last_answered - first_sent), 1)
        if last_answered > first_sent
        else None,
        "api_answer": summarize([s["answered_at"] - s["sent_at"] for s in sent]),
        "acknowledgement_after_first_submission": summarize(ack_after_first),
        "all_acknowledged_within_s": round(max(ack_after_first), 2) if len(acks) == len(references) else None,
        "done": len(done_at),
        "drain_per_s": round(len(done_at) / (last_done - first_sent), 1) if last_done > first_sent else None,
        # After the last answer, only the worker was busy: how fast it got through what was left.
        "backlog_at_last_answer": len(done_after_sending),
        "backlog_drain_per_s": round(len(done_after_sending) / (last_done - last_answered), 1)
        if done_after_sending and last_done > last_answered
        else None,
        "callbacks": callbacks,
        "acknowledgements_missing": len(references - set(acks)),
        "acknowledgements_twice": sum(1 for times in acks.values() if len(times) > 1),
        "desk_emails_missing": len(references - set(desk)),
        "desk_emails_twice": sum(1 for times in desk.values() if len(times) > 1),
        "queue_page": {
            "loads": len(queue),
            "failed": dict(poller.failed),
            "p50_ms": _rounded(percentile(queue, 0.5)),
            "p95_ms": _rounded(percentile(queue, 0.95)),
            "max_ms": round(max(queue), 1) if queue else None,
        },
        "waited_s": round(drained_at - first_sent, 1),
    }


def passed(burst: dict) -> dict[str, bool]:
    """Each of the burst's goals, met or not."""
    complete = (
        burst["accepted"] == burst["submissions"]
        and burst["acknowledgements_missing"] == 0
        and burst["desk_emails_missing"] == 0
        and burst["callbacks"] == burst["accepted"]
    )
    return {
        "acknowledged_in_time": complete
        and burst["all_acknowledged_within_s"] is not None
        and burst["all_acknowledged_within_s"] <= ACK_WITHIN_S,
        "queue_page": burst["queue_page"]["p95_ms"] is not None and burst["queue_page"]["p95_ms"] <= QUEUE_P95_MAX_MS,
        "nothing_lost_or_twice": complete and burst["acknowledgements_twice"] == 0 and burst["desk_emails_twice"] == 0,
    }


def describe(burst: dict) -> str:
    """One line for the console."""
    queue = burst["queue_page"]
    return (
        f"{burst['accepted']}/{burst['submissions']} accepted in {burst['sending_seconds']} s "
        f"({burst['accepted_per_s']}/s); every acknowledgement within {burst['all_acknowledged_within_s']} s of the "
        f"first submission; drained {burst['drain_per_s']}/s (backlog {burst['backlog_drain_per_s']}/s); queue page "
        f"p95 {queue['p95_ms']} ms over {queue['loads']} loads; missing {burst['acknowledgements_missing']} "
        f"acknowledgements and {burst['desk_emails_missing']} desk emails, twice {burst['acknowledgements_twice']} "
        f"and {burst['desk_emails_twice']}"
    )
