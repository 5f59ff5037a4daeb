"""Submission to callback to acknowledgement, at a steady rate through the real API.

A sender posts to the API at `rate` per second (on a schedule, so a slow
answer does not slow the rate), noting when each request left. Then the
callback's `created_at` (written by the worker) and the moment the SMTP
sink accepted the patient's acknowledgement give the two delays.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench import loadgen
from bench.stack import RECEIVED_AT_HEADER

ACK_SUBJECT = re.compile(r"We received your appointment request \((?P<reference>[^)]+)\)")
API_PATH = "/api/v1/appointment-requests/"


@dataclass
class Sent:
    sent_at: float
    answered_at: float
    status: int
    reference: str | None


def _post(port: int, body: dict) -> Sent:
    sent_at = time.time()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            API_PATH,
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
        )
        response = connection.getresponse()
        payload = response.read()
        status = response.status
    except OSError:
        return Sent(sent_at, time.time(), 0, None)
    finally:
        connection.close()
    reference = json.loads(payload).get("reference") if status == 201 else None
    return Sent(sent_at, time.time(), status, reference)


def send_steadily(port: int, patients: loadgen.Patients, *, rate: float, seconds: float) -> list[Sent]:
    count = round(rate * seconds)
    bodies = [loadgen.api_body(patients) for _ in range(count)]
    results: list[Sent] = []
    lock = threading.Lock()

    def send(body: dict) -> None:
        outcome = _post(port, body)
        with lock:
            results.append(outcome)

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for index, body in enumerate(bodies):
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, body)
    return results


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def summarize(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50_s": _round(percentile(values, 0.50)),
        "p95_s": _round(percentile(values, 0.95)),
        "max_s": _round(max(values) if values else None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def measure(port: int, sink, patients: loadgen.Patients, *, rate: float, seconds: float, wait: float) -> dict:
    from requests_app.models import Callback  # noqa: PLC0415 (app code: after django.setup())

    sent = send_steadily(port, patients, rate=rate, seconds=seconds)
    accepted = {s.reference: s for s in sent if s.reference}
    callbacks: dict[str, float] = {}
    acks: dict[str, float] = {}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        missing = [ref for ref in accepted if ref not in callbacks]
        for start in range(0, len(missing), 500):
            rows = Callback.objects.filter(request__reference__in=missing[start : start + 500]).values_list(
                "request__reference", "created_at"
            )
            callbacks.update({ref: created.timestamp() for ref, created in rows})
        for message in sink.messages:
            match = ACK_SUBJECT.search(str(message["Subject"] or ""))
            if match and match["reference"] in accepted and message[RECEIVED_AT_HEADER]:
                acks.setdefault(match["reference"], float(message[RECEIVED_AT_HEADER]))
        if len(callbacks) == len(accepted) and len(acks) == len(accepted):
            break
        time.sleep(0.25)

    to_callback = [callbacks[ref] - s.sent_at for ref, s in accepted.items() if ref in callbacks]
    to_ack = [acks[ref] - s.sent_at for ref, s in accepted.items() if ref in acks]
    callback_to_ack = [acks[ref] - callbacks[ref] for ref in accepted if ref in acks and ref in callbacks]
    answered = [s.answered_at - s.sent_at for s in sent]
    first_sent = min((s.sent_at for s in sent), default=0.0)
    last_ack = max(acks.values(), default=first_sent)
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "sent": len(sent),
        "accepted": len(accepted),
        "refused": {str(code): sum(1 for s in sent if s.status == code) for code in {s.status for s in sent} - {201}},
        "api_answer": summarize(answered),
        "submission_to_callback": summarize(to_callback),
        "callback_to_acknowledgement": summarize(callback_to_ack),
        "submission_to_acknowledgement": summarize(to_ack),
        # How fast the pipeline got through the submissions, against the rate they came in at.
        "acknowledged_per_s": round(len(acks) / (last_ack - first_sent), 2) if last_ack > first_sent else None,
        "callbacks_missing": len(accepted) - len(callbacks),
        "acknowledgements_missing": len(accepted) - len(acks),
    }


_TASK_DONE = re.compile(r"Task (?P<task>[\w.]+)\[[^\]]+\] succeeded in (?P<seconds>[0-9.]+)s")


def worker_task_stats(log: str) -> dict:
    """Per task, how many ran and how long each took, from the worker's own log."""
    durations: dict[str, list[float]] = {}
    for match in _TASK_DONE.finditer(log):
        durations.setdefault(match["task"].rsplit(".", 1)[-1], []).append(float(match["seconds"]))
    return {
        task: {
            "count": len(values),
            "mean_s": round(sum(values) / len(values), 3),
            "p95_s": _round(percentile(values, 0.95)),
        }
        for task, values in sorted(durations.items())
    }
