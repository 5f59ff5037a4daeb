"""In-process probes, not under load: queries per request, and where a request's time goes.

Django's test client runs each scenario in this process, under the bench
settings and against the same database, cache and broker as the server.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import redis
from django.db import Error as DatabaseError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import loadgen

ROOT = Path(__file__).resolve().parent.parent
HTTPS = {"X-Forwarded-Proto": "https"}


@dataclass
class Probes:
    """One callable per scenario, each making one request the way the load does."""

    anonymous: Client
    desk: Client
    patients: loadgen.Patients
    article_path: str
    queue_path: str

    def post_new_patient(self, path: str):
        """A JSON submission of a new patient to `path`, as the load sends it (bench/wrk.lua)."""
        return self.anonymous.post(
            path, data=json.dumps(loadgen.api_body(self.patients)), content_type="application/json", headers=HTTPS
        )

    def requests(self) -> dict[str, Callable]:
        return {
            "hello": lambda: self.anonymous.get("/bench/hello/", headers=HTTPS),
            "create": lambda: self.post_new_patient("/bench/create/"),
            "peer": lambda: self.post_new_patient("/bench/peer/"),
            "home": lambda: self.anonymous.get("/", headers=HTTPS),
            "article": lambda: self.anonymous.get(self.article_path, headers=HTTPS),
            # URL-encoded, as a browser (and the load, bench/wrk.lua) sends it; not the test client's multipart.
            "form": lambda: self.anonymous.post(
                "/request-appointment/",
                data=urlencode(loadgen.form_fields(self.patients)),
                content_type="application/x-www-form-urlencoded",
                headers=HTTPS,
            ),
            "api": lambda: self.post_new_patient("/api/v1/appointment-requests/"),
            "queue": lambda: self.desk.get(self.queue_path, headers=HTTPS),
        }


def count_queries(request: Callable) -> tuple[int, int]:
    """(queries, status code) of one request."""
    with CaptureQueriesContext(connection) as captured:
        response = request()
    return len(captured), response.status_code


def queries_per_request(probes: Probes) -> dict[str, dict]:
    """Queries each scenario makes once warm; the cached pages also on a miss."""
    from articles.cache import pages_invalidate  # noqa: PLC0415 (app code: after django.setup())

    found: dict[str, dict] = {}
    for name, request in probes.requests().items():
        request()  # warm: caches, the session, the connection
        queries, status = count_queries(request)
        found[name] = {"queries": queries, "status": status}
        if name in ("home", "article"):
            pages_invalidate()
            found[name]["queries_on_miss"] = count_queries(request)[0]
            request()  # leave the page cached, as the load finds it
    return found


_NUMBERS = re.compile(r"\b\d+\b|'[^']*'|%s")


def _statement(sql: str) -> str:
    return _NUMBERS.sub("?", " ".join(sql.split()))[:160]


def _plan(sql: str, params) -> list[str]:
    """The database's plan for one statement, as it would run it now."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[3] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def where_time_goes(request: Callable, *, budget_s: float = 2.5, top: int = 8) -> dict:
    """Profile a few requests: time per request, its SQL share, the slowest statements and project functions.

    Under cProfile everything is slower; read the shares, not the absolute times.
    """
    statements: dict[str, list] = defaultdict(lambda: [0, 0.0, None])

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements[_statement(sql)]
            entry[0] += 1
            entry[1] += time.perf_counter() - started
            if entry[2] is None and not many:
                entry[2] = (sql, params)

    redis_calls = [0, 0.0]

    def counting(method):
        def wrapper(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                redis_calls[0] += 1
                redis_calls[1] += time.perf_counter() - started

        return wrapper

    started = time.perf_counter()
    request()
    # As many requests as fit in the budget: a slow page needs few to show where its time goes.
    repeat = max(5, min(40, int(budget_s / max(time.perf_counter() - started, 1e-3))))
    # Round trips to Redis (the cache, the throttle, the broker): a command or a pipeline each.
    # (A pipeline buffers its commands in its own execute_command and sends them in execute.)
    with (
        mock.patch.object(redis.Redis, "execute_command", counting(redis.Redis.execute_command)),
        mock.patch.object(redis.client.Pipeline, "execute", counting(redis.client.Pipeline.execute)),
        connection.execute_wrapper(timed),
    ):
        started = time.perf_counter()
        for _ in range(repeat):
            request()
        plain_ms = (time.perf_counter() - started) * 1000 / repeat
    sql_ms = sum(entry[1] for entry in statements.values()) * 1000 / repeat
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        request()
    profiler.disable()

    functions = []
    for (filename, line, name), (_, _, _, cumulative, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]  # typeshed has no Stats.stats
        path = Path(filename)
        if ROOT in path.parents and ".venv" not in path.parts and "bench" not in path.parts:
            functions.append((cumulative, f"{path.relative_to(ROOT)}:{line} {name}"))
    functions.sort(reverse=True)
    slowest = sorted(statements.items(), key=lambda item: item[1][1], reverse=True)[:top]
    found = []
    for sql, (count, seconds, raw) in slowest:
        entry = {
            "sql": sql,
            "per_request": round(count / repeat, 2),
            "ms_per_request": round(seconds * 1000 / repeat, 3),
        }
        # The plan of what costs more than a millisecond tells why it does.
        if raw is not None and entry["ms_per_request"] >= 1 and raw[0].lstrip().upper().startswith("SELECT"):
            try:
                entry["plan"] = _plan(*raw)
            except (DatabaseError, TypeError, ValueError) as error:  # a statement EXPLAIN or its parameters refuse
                entry["plan"] = [f"(no plan: {type(error).__name__})"]
        found.append(entry)
    return {
        "requests_profiled": repeat,
        "ms_per_request": round(plain_ms, 2),
        "sql_ms_per_request": round(sql_ms, 2),
        "queries_per_request": round(sum(entry[0] for entry in statements.values()) / repeat, 1),
        "redis_round_trips_per_request": round(redis_calls[0] / repeat, 1),
        "redis_ms_per_request": round(redis_calls[1] * 1000 / repeat, 2),
        "slowest_statements": found,
        "project_functions_profiled": [
            {"function": where, "cumulative_ms_per_request": round(seconds * 1000 / repeat, 2)}
            for seconds, where in functions[:top]
        ],
    }
