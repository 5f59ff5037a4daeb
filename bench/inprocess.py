"""Submissions timed in process with Django's test client, alternating, the way issue #15 measured them.

No server and no load generator: one request at a time, each scenario in
turn (the order rotates every round), so a slow spell of the machine weighs
on all of them alike. What it gives that wrk cannot:

- the submission's own cost against the peer's and the floor's, without the
  server's and the load generator's share of the CPU;
- triage's share: the API submission again with triage's result for the
  bench's text precomputed (`triage_precomputed`), so the ratio can be read
  with and without it.

A step of `make bench`, and runnable alone (it starts its own Redis; a fresh
SQLite file under var/bench-inprocess/, or the database DATABASE_URL names):

    .venv/bin/python -m bench.inprocess                   # 400 of each, alternating
    .venv/bin/python -m bench.inprocess --profile api     # where one scenario's time goes (cProfile)
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import importlib
import io
import json
import logging
import os
import pstats
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import django
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import loadgen, probe  # noqa: E402
from bench.stack import Stack  # noqa: E402
from tests.support.processes import free_port  # noqa: E402

if TYPE_CHECKING:
    from requests_app.triage import TriageResult

COUNT = 400
WARMUP = 20
# The scenarios compared in process, and what each is compared with.
SUBMISSIONS = ("create", "peer", "api", "api_pretriaged", "form")


@functools.lru_cache(maxsize=64)
def _triage_once(symptoms: tuple, reason: str, screening: tuple) -> TriageResult:
    from requests_app.triage import triage  # noqa: PLC0415 (app code: after django.setup())

    return triage(symptoms=list(symptoms), reason=reason, screening=dict(screening))


def _precomputed_triage(
    *, reason: str = "", screening: dict[str, str] | None = None, symptoms: list[str] | tuple[str, ...] = ()
) -> TriageResult:
    return _triage_once(tuple(symptoms), reason, tuple(sorted((screening or {}).items())))


@contextlib.contextmanager
def triage_precomputed():
    """Inside the block, intake's triage answers from a cache of this process: each distinct input is triaged once.

    Every bench submission carries the same reason, symptoms and answers, so
    after the first, triage costs a dictionary lookup; what remains is the
    submission without triage. The bench's only; nothing in the app changes.
    """
    from requests_app.services import intake  # noqa: PLC0415 (app code: after django.setup())

    real = intake.triage
    intake.triage = _precomputed_triage
    try:
        yield
    finally:
        intake.triage = real


def scenario_requests(probes) -> dict[str, Callable]:
    """The submissions, as `probe.Probes` makes them, plus the API submission with triage precomputed."""
    requests = probes.requests()
    api = requests["api"]

    def api_pretriaged():
        with triage_precomputed():
            return api()

    return {**requests, "api_pretriaged": api_pretriaged}


def alternate(requests: dict[str, Callable], names, *, count: int = COUNT, warmup: int = WARMUP) -> dict[str, list]:
    """Milliseconds of each request, `count` per scenario, taking turns; the order rotates each round."""
    names = list(names)
    expected: dict[str, int] = {}
    for _ in range(warmup):
        for name in names:
            expected[name] = requests[name]().status_code
    times: dict[str, list[float]] = {name: [] for name in names}
    for number in range(count):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            response = requests[name]()
            times[name].append((time.perf_counter() - started) * 1000)
            if response.status_code != expected[name]:
                raise RuntimeError(f"{name} answered {response.status_code}, not {expected[name]} as in the warm-up")
    return times


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarize(times: dict[str, list[float]]) -> dict:
    """Median, p10 and p90 per scenario, and the ratios the report shows (≥ 1: the scenario is at least as fast).

    Each ratio is also taken per block of 50 alternating requests, so its
    spread shows how much the machine moved during the measurement.
    """
    found = {
        name: {
            "count": len(values),
            "median_ms": round(statistics.median(values), 3),
            "p10_ms": round(_percentile(values, 0.10), 3),
            "p90_ms": round(_percentile(values, 0.90), 3),
        }
        for name, values in times.items()
    }
    ratios = {}
    for name, baseline in (
        ("api", "peer"),
        ("form", "peer"),
        ("api_pretriaged", "peer"),
        ("api", "create"),
        ("peer", "create"),
    ):
        if name in times and baseline in times:
            blocks = [
                statistics.median(times[baseline][i : i + 50]) / statistics.median(times[name][i : i + 50])
                for i in range(0, len(times[name]) - 49, 50)
            ]
            ratios[f"{name}/{baseline}"] = {
                "ratio": round(found[baseline]["median_ms"] / found[name]["median_ms"], 3),
                "blocks_min": round(min(blocks), 3) if blocks else None,
                "blocks_max": round(max(blocks), 3) if blocks else None,
            }
    triage_ms = None
    if "api" in found and "api_pretriaged" in found:
        triage_ms = round(found["api"]["median_ms"] - found["api_pretriaged"]["median_ms"], 3)
    return {"scenarios": found, "ratios": ratios, "triage_ms": triage_ms}


def measure(probes, *, count: int = COUNT, names=SUBMISSIONS) -> dict:
    """The submissions in process, alternating; the median of each and the ratios between them."""
    times = alternate(scenario_requests(probes), names, count=count)
    return {"count": count, **summarize(times)}


def describe(result: dict) -> list[str]:
    lines = []
    for name, entry in result["scenarios"].items():
        lines.append(
            f"  {name:15} median {entry['median_ms']:6.2f} ms  (p10 {entry['p10_ms']:6.2f}, p90 {entry['p90_ms']:6.2f})"
        )
    for key, ratio in result["ratios"].items():
        spread = (
            f"  (blocks of 50: {ratio['blocks_min']:.2f}-{ratio['blocks_max']:.2f})"
            if ratio["blocks_min"] is not None
            else ""
        )
        lines.append(f"  {key:22} {ratio['ratio']:.2f} x{spread}")
    if result.get("triage_ms") is not None:
        lines.append(f"  triage's part of the API submission: {result['triage_ms']:.2f} ms")
    return lines


# Where a submission's time goes, part by part: (label, module, attribute path). Each is timed inclusively
# (what it calls counts to it), once per request however often it is entered; none contains another.
PARTS = [
    ("parse the JSON body", "requests_app.api.parsers", "StrictJSONParser.parse"),
    ("throttle (1 Redis round trip)", "requests_app.throttling", "AppointmentRequestThrottle.allow_request"),
    ("validation: serializer", "rest_framework.serializers", "BaseSerializer.is_valid"),
    ("validation: form (build + is_valid)", "requests_app.forms", "AppointmentRequestForm.__init__"),
    ("validation: form (build + is_valid)", "django.forms.forms", "BaseForm.is_valid"),
    ("triage", "requests_app.services.intake", "triage"),
    ("model full_clean", "requests_app.models", "AppointmentRequest.full_clean"),
    ("duplicate check", "requests_app.services.intake", "_open_duplicate"),
    ("INSERT request + history row", "requests_app.models", "AppointmentRequest.save"),
    ("INSERT outbox record", "requests_app.services.intake", "pipeline_record_create"),
    ("INSERT outbox record", "requests_app.models", "PipelineRecord.save"),
    # Before issue #15 the submission marked its outbox record published after the publish.
    ("UPDATE outbox record", "django.db.models.query", "QuerySet.update"),
    ("idempotency: look up", "requests_app.services.idempotency", "_replay"),
    ("idempotency: INSERT record", "requests_app.models", "IdempotencyRecord.save"),
    ("COMMIT", "django.db.backends.base.base", "BaseDatabaseWrapper.commit"),
    # Where it is looked up: the after-commit publish (pipeline.py imported it), the peer's delay().
    ("publish to Redis (Celery)", "requests_app.services.pipeline", "publish"),
    ("publish to Redis (Celery)", "celery.app.task", "Task.delay"),
    ("answer: expected call time", "requests_app.api.public", "created_body"),
    ("answer: confirmation URL", "requests_app.views", "confirmation_url"),
]


def _timed(original: Callable, label: str, active: set[str], spent: dict[str, float]) -> Callable:
    """`original`, its time added to spent[label] (ms); a call inside another call of it is not counted twice."""

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if label in active:
            return original(*args, **kwargs)
        active.add(label)
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            active.discard(label)
            spent[label] = spent.get(label, 0.0) + (time.perf_counter() - started) * 1000

    return wrapper


@contextlib.contextmanager
def _timing_parts(spent: dict[str, float]):
    """Wrap each of PARTS so that its time in the current request adds to `spent` (ms)."""
    active: set[str] = set()
    undo = []
    for label, module_name, path in PARTS:
        try:
            owner = importlib.import_module(module_name)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            original = owner.__dict__[name] if name in owner.__dict__ else getattr(owner, name)
        except (ImportError, AttributeError, KeyError):
            continue  # moved or renamed: that part is left out of the table

        had_own = name in owner.__dict__
        setattr(owner, name, _timed(original, label, active, spent))
        undo.append((owner, name, original, had_own))
    try:
        yield
    finally:
        for owner, name, original, had_own in reversed(undo):
            if had_own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)


def breakdown(requests: dict[str, Callable], names, *, count: int = COUNT) -> dict[str, dict[str, float]]:
    """Median ms per request of each part of PARTS, and of the whole request, alternating between `names`.

    The parts are timed with a clock around each call (a few microseconds
    each), not sampled, so they add up: "everything else" is the request's
    time outside them (Django's and DRF's request handling, the view, the
    transaction's BEGIN and COMMIT).
    """
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in names}
    for _ in range(WARMUP):
        for name in names:
            requests[name]()
    for number in range(count):
        shift = number % len(names)
        for name in list(names)[shift:] + list(names)[:shift]:
            spent: dict[str, float] = {}
            with _timing_parts(spent):
                started = time.perf_counter()
                requests[name]()
                total = (time.perf_counter() - started) * 1000
            spent["everything else"] = total - sum(spent.values())
            spent["whole request"] = total
            for label, value in spent.items():
                samples[name].setdefault(label, []).append(value)
    return {
        name: {label: round(statistics.median(values), 3) for label, values in parts.items() if len(values) == count}
        for name, parts in samples.items()
    }


def describe_breakdown(found: dict[str, dict[str, float]]) -> list[str]:
    names = list(found)
    labels = list(dict.fromkeys(label for parts in found.values() for label in parts))
    labels = [label for label in labels if label not in ("everything else", "whole request")]
    labels += ["everything else", "whole request"]
    lines = ["| part | " + " | ".join(f"{name} ms" for name in names) + " |", "|---|" + "---:|" * len(names)]
    for label in labels:
        cells = [f"{found[name][label]:.2f}" if label in found[name] else "" for name in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def profile(request: Callable, *, count: int, top: int = 40) -> str:
    """cProfile over `count` requests: the functions by cumulative and by own time."""
    for _ in range(WARMUP):
        request()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        request()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


@contextlib.contextmanager
def standalone(directory: Path):
    """Redis and the SMTP sink of its own, the bench's settings, a prepared database: the probes, ready."""

    from bench import run  # noqa: PLC0415 (bench/run.py imports this module: a cycle)

    shutil.rmtree(directory / "redis", ignore_errors=True)
    stack = Stack(directory, web_workers=0, worker_concurrency=0)
    try:
        stack.start_services()
        sqlite = directory / "bench.sqlite3"
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite}"
        if not os.environ.get("DATABASE_URL"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        run.configure_environment(stack, free_port(), database_url)

        django.setup()

        logging.getLogger().setLevel(logging.WARNING)

        from articles import selectors  # noqa: PLC0415 (app code: after django.setup())

        run.prepare_database(database_url)
        desk = Client()
        desk.force_login(run.front_desk_user())
        yield probe.Probes(
            anonymous=Client(),
            desk=desk,
            patients=loadgen.Patients(),
            article_path=selectors.article_latest_live(limit=1)[0].get_absolute_url(),
            queue_path=run.QUEUE_PATH,
        )
    finally:
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT, help=f"requests per scenario (default {COUNT})")
    parser.add_argument(
        "--scenarios", default=",".join(SUBMISSIONS), help="comma-separated, from " + ", ".join(SUBMISSIONS)
    )
    parser.add_argument("--repeat", type=int, default=1, help="measure this many times (the spread between them)")
    parser.add_argument("--profile", metavar="SCENARIO", help="profile one scenario with cProfile instead")
    parser.add_argument(
        "--breakdown", action="store_true", help="time each part of the scenarios (PARTS) instead; a Markdown table"
    )
    parser.add_argument("--json", action="store_true", help="print the measurement as JSON")
    args = parser.parse_args(argv)

    with standalone(ROOT / "var" / "bench-inprocess") as probes:
        requests = scenario_requests(probes)
        if args.profile:
            print(profile(requests[args.profile], count=args.count))
            return 0
        names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
        if args.breakdown:
            names = [name for name in names if name != "api_pretriaged"]  # it replaces triage itself
            for _ in range(args.repeat):
                found = breakdown(requests, names, count=args.count)
                print(json.dumps(found) if args.json else "\n".join(describe_breakdown(found)), flush=True)
            return 0
        for number in range(args.repeat):
            result = measure(probes, count=args.count, names=names)
            if args.json:
                print(json.dumps(result, indent=2))
            else:
                print(f"run {number + 1}: {args.count} of each, alternating")
                print("\n".join(describe(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
