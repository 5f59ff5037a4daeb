#!/usr/bin/env python
"""`make bench`: start the production-like stack here, load it with wrk, and report against baselines.

Every figure is compared with a baseline measured by the same server in the
same run (a bare "hello" view; for submissions, the straightforward DRF
implementation, the "peer", and the minimal create as a floor), because on a
shared machine absolute times are not stable but ratios are. See
bench/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import secrets
import shutil
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import burst, inprocess, latency, loadgen, probe, report, triage_cost  # noqa: E402
from bench.stack import Stack  # noqa: E402
from tests.support.processes import free_port  # noqa: E402

VAR = ROOT / "var" / "bench"
RESULTS = Path(__file__).resolve().parent / "results"
QUEUE_PATH = "/admin/requests_app/callback/"
DESK_USERNAME = "bench-desk"
HTTPS_HEADER = {"X-Forwarded-Proto": "https"}
EXPECTED_STATUS = {
    "hello": 200,
    "create": 201,
    "peer": 201,
    "home": 200,
    "article": 200,
    "form": 303,
    "api": 201,
    "queue": 200,
}
# What a browser sends: the pages are measured as browsers get them (gzipped where the app compresses).
BROWSER_ENCODING = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    path: str
    baselines: tuple[str, ...] = ()  # the first is the one the table's ratio column names first
    body: str | None = None  # "api" (JSON) or "form" (urlencoded), else a GET


def scenarios(article_path: str) -> list[Scenario]:
    """Every scenario, baselines first."""
    return [
        Scenario("hello", 'baseline: bare Django view returning "hello"', "/bench/hello/"),
        Scenario("article", "article page", article_path, baselines=("hello",)),
        Scenario("home", "home page", "/", baselines=("hello",)),
        Scenario("queue", "admin queue page (front desk)", QUEUE_PATH, baselines=("hello",)),
        Scenario("create", "floor: minimal create (1 INSERT + 1 Redis publish)", "/bench/create/", body="api"),
        Scenario(
            "peer",
            "baseline: peer (plain DRF CreateAPIView + ModelSerializer, queues the task on commit)",
            "/bench/peer/",
            baselines=("create",),
            body="api",
        ),
        Scenario("api", "API submission", "/api/v1/appointment-requests/", baselines=("peer", "create"), body="api"),
        Scenario(
            "form",
            "form submission (HTML form, CSRF)",
            "/request-appointment/",
            baselines=("peer", "create"),
            body="form",
        ),
    ]


# One round: each group runs back to back, each scenario right after the baselines it is compared with.
ROUND = [
    ("hello", "article"),
    ("hello", "home"),
    ("hello", "queue"),
    ("create", "peer", "api"),
    ("create", "peer", "form"),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5, help="length of each measured wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every scenario per data size (default 3)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per scenario and size")
    parser.add_argument(
        "--sizes", default="1000,100000", help="callbacks in the database for each pass (default 1000,100000)"
    )
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers (default 2: two cores)")
    parser.add_argument(
        "--worker-concurrency",
        type=int,
        default=os.cpu_count() or 2,
        help="Celery worker processes (default: one per core, Celery's own default)",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--rate", type=float, default=20, help="submissions per second for the latency pass")
    parser.add_argument("--rate-seconds", type=float, default=15, help="length of the latency pass")
    parser.add_argument("--max-rps", type=int, default=800, help="bodies written per second of a POST run")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="benchmark this database as given (DATABASE_URL's by default); without either, a fresh SQLite file",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where latest.md and latest.json go (default bench/results/, or bench/results/postgresql/ on PostgreSQL)",
    )
    parser.add_argument("--skip-burst", action="store_true", help="leave out the burst (about 3 minutes)")
    parser.add_argument(
        "--burst-workers", default="1,2", help="Celery worker processes for each burst (default 1,2: one burst each)"
    )
    parser.add_argument("--burst-size", type=int, default=1000, help="submissions in each burst (default 1,000)")
    parser.add_argument(
        "--inprocess-count", type=int, default=400, help="requests per scenario in the in-process pass (default 400)"
    )
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = RESULTS / "postgresql" if args.database_url.startswith("postgres") else RESULTS
    args.burst_workers = [int(n) for n in args.burst_workers.split(",") if n.strip()]
    args.sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()})
    return args


def configure_environment(stack: Stack, port: int, database_url: str) -> None:
    """Production settings (DJANGO_ENV=production) for this process and every child."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            # The TLS proxy is not part of the bench: requests carry its X-Forwarded-Proto header.
            "SITE_URL": f"https://127.0.0.1:{port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": stack.broker_url,
            "CACHE_URL": stack.cache_url,
            "DEFAULT_FROM_EMAIL": "Harbourview Spine & Sports Clinic <appointments@bench.example.org>",
            "CLINIC_FRONT_DESK_EMAIL": "frontdesk@bench.example.org",
            # The per-IP limit would stop a load generator after 20 requests.
            "APPOINTMENT_REQUEST_RATE": "100000000/second",
            "PYTHONUNBUFFERED": "1",
            **stack.smtp.settings_env(),
        }
    )


def bench_sqlite_url() -> str:
    return f"sqlite:///{VAR / 'bench.sqlite3'}"


def prepare_database(database_url: str) -> None:
    if database_url == bench_sqlite_url():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{VAR / 'bench.sqlite3'}{suffix}").unlink(missing_ok=True)
    quiet = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    call_command("load_articles", stdout=quiet)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)


def front_desk_user():
    """An on-shift front-desk member, as the queue page's real users are."""
    from django.contrib.auth.models import Group, User  # noqa: PLC0415 (models: after django.setup())

    from requests_app.models import StaffProfile  # noqa: PLC0415 (app code: after django.setup())
    from requests_app.roles import FRONT_DESK  # noqa: PLC0415 (app code: after django.setup())

    user, _ = User.objects.get_or_create(
        username=DESK_USERNAME, defaults={"email": "desk@bench.example.org", "is_staff": True, "first_name": "Dana"}
    )
    user.groups.add(Group.objects.get(name=FRONT_DESK))
    StaffProfile.objects.get_or_create(user=user, defaults={"on_shift": True})
    return user


def seed_callbacks(target: int) -> float:
    """Requests with callbacks up to `target` (tests/support/bulk.py). Returns the seconds it took."""

    from requests_app.models import Callback  # noqa: PLC0415 (app code: after django.setup())
    from tests.support.bulk import bulk_callbacks  # noqa: PLC0415 (app code: after django.setup())

    started = time.monotonic()
    missing = target - Callback.objects.count()
    if missing > 0:
        bulk_callbacks(missing, seed=target)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load; SQLite has no such thing.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.monotonic() - started


class Runner:
    """Runs every scenario with wrk against the server, with fresh bodies for each POST run."""

    def __init__(self, args: argparse.Namespace, base_url: str, desk_cookie: str) -> None:
        self.args = args
        self.base_url = base_url
        self.shape = loadgen.LoadShape(threads=args.threads, connections=args.connections)
        self.patients = loadgen.Patients()
        self.csrf = loadgen.csrf_secret()
        self.desk_cookie = desk_cookie
        self.bodies_dir = VAR / "bodies"

    def headers(self, scenario: Scenario) -> dict[str, str]:
        headers = dict(HTTPS_HEADER)
        if scenario.body is None:
            headers.update(BROWSER_ENCODING)
        if scenario.name == "queue":
            headers["Cookie"] = self.desk_cookie
        if scenario.body == "form":
            # A browser that loaded the form: its CSRF cookie, and the page as the referrer (checked over HTTPS).
            headers["Cookie"] = f"csrftoken={self.csrf}"
            headers["Referer"] = f"{self.base_url.replace('http://', 'https://')}{scenario.path}"
        return headers

    def run(self, scenario: Scenario, seconds: float) -> loadgen.WrkResult:
        bodies, content_type = None, ""
        count = max(200, int(seconds * self.args.max_rps))
        if scenario.name == "create":
            # The minimal create reads the body but writes a name of its own: the same bodies may repeat.
            count = 200
            bodies = self.bodies_dir / "create.jsonl"
            if not bodies.exists():
                loadgen.api_bodies(bodies, loadgen.Patients(), count)
            content_type = "application/json"
        elif scenario.body == "api":
            bodies = loadgen.api_bodies(self.bodies_dir / f"{scenario.name}.jsonl", self.patients, count)
            content_type = "application/json"
        elif scenario.body == "form":
            bodies = loadgen.form_bodies(self.bodies_dir / "form.txt", self.patients, count, self.csrf)
            content_type = "application/x-www-form-urlencoded"
        result = loadgen.run_wrk(
            self.base_url + scenario.path,
            seconds=seconds,
            shape=self.shape,
            headers=self.headers(scenario),
            bodies=bodies,
            content_type=content_type,
        )
        if bodies is not None and scenario.name != "create" and result.requests > count:
            print(f"    note: {scenario.name} sent {result.requests} requests but had {count} distinct bodies")
        return result


def measure_size(runner: Runner, plan: list[Scenario], size: int, probes) -> dict:
    """Warm up, then rounds of groups: each scenario right after a run of each baseline it is compared with.

    A ratio is taken within its group, so a slow spell of the machine (other
    work, a noisy neighbour) weighs on the scenario and its baselines alike.
    """
    print(f"\n== {size:,} callbacks in the database", flush=True)
    queries = probe.queries_per_request(probes)
    wrong = {name: q["status"] for name, q in queries.items() if q["status"] != EXPECTED_STATUS[name]}
    if wrong:
        raise RuntimeError(f"scenarios answered with unexpected status codes: {wrong} (expected {EXPECTED_STATUS})")
    by_name = {s.name: s for s in plan}
    for scenario in plan:
        runner.run(scenario, runner.args.warmup)
    runs: dict[str, list[loadgen.WrkResult]] = {s.name: [] for s in plan}
    ratios: dict[tuple[str, str], list[float]] = {(s.name, b): [] for s in plan for b in s.baselines}
    for number in range(1, runner.args.rounds + 1):
        for group in ROUND:
            done: dict[str, loadgen.WrkResult] = {}
            for name in group:
                result = runner.run(by_name[name], runner.args.seconds)
                runs[name].append(result)
                done[name] = result
                failed = f"  FAILED {result.failed} {result.errors}" if result.failed else ""
                print(
                    f"  round {number} {name:8} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.1f} ms"
                    f"  p99 {result.p99_ms:7.1f} ms{failed}",
                    flush=True,
                )
                for baseline in by_name[name].baselines:
                    if baseline in done and done[baseline].rps:
                        ratios[(name, baseline)].append(result.rps / done[baseline].rps)
    out = {}
    for scenario in plan:
        results = runs[scenario.name]
        entry: dict[str, Any] = {
            "title": scenario.title,
            "path": scenario.path,
            "baselines": list(scenario.baselines),
            "rps": round(statistics.median(r.rps for r in results), 1),
            "p50_ms": round(statistics.median(r.p50_ms for r in results), 2),
            "p99_ms": round(statistics.median(r.p99_ms for r in results), 2),
            "failed": sum(r.failed for r in results),
            "queries": queries[scenario.name],
            "runs": [r.as_dict() for r in results],
            "ratios": {},
        }
        for baseline in scenario.baselines:
            values = ratios[(scenario.name, baseline)]
            entry["ratios"][baseline] = {
                "median": round(statistics.median(values), 3) if values else None,
                "min": round(min(values), 3) if values else None,
                "max": round(max(values), 3) if values else None,
                "per_run": [round(x, 3) for x in values],
            }
        out[scenario.name] = entry
    return out


def run_bursts(args, stack: Stack, runner: Runner, port: int) -> list[dict]:
    """One burst per worker count, each with a worker of that many processes and beat, as production runs."""

    from requests_app.models import PipelineRecord, PipelineStatus  # noqa: PLC0415 (app code: after django.setup())

    # The load passes' tasks were dropped with their queue (see the latency pass): their outbox
    # records are closed here, or beat, doing its job, would send thousands of them into the burst.
    PipelineRecord.objects.filter(status=PipelineStatus.PENDING).update(
        status=PipelineStatus.DONE, last_error="bench: its task was dropped with the load passes' queue"
    )
    found = []
    for workers in args.burst_workers:
        print(
            f"\n== burst: {args.burst_size:,} API submissions at once, worker with {workers} process(es), beat",
            flush=True,
        )
        worker = stack.start_worker(concurrency=workers, log_name=f"worker-burst-{workers}.log")
        beat = stack.start_beat()
        try:
            result = burst.measure(
                port=port,
                sink=stack.smtp,
                patients=runner.patients,
                queue_path=QUEUE_PATH,
                desk_cookie=runner.desk_cookie,
                desk_email=settings.CLINIC["FRONT_DESK_EMAIL"],
                workers=workers,
                count=args.burst_size,
            )
        finally:
            beat.stop()
            worker.stop()
        print(f"  {burst.describe(result)}", flush=True)
        found.append(result)
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if loadgen.wrk_path() is None:
        print(
            "make bench needs wrk, the HTTP load generator: install it with\n"
            "    sudo apt-get install wrk\n"
            "(Debian and Ubuntu package it; on macOS: brew install wrk), then run make bench again.",
            file=sys.stderr,
        )
        return 2
    VAR.mkdir(parents=True, exist_ok=True)
    for leftover in [*VAR.glob("log/*.log"), *VAR.glob("bodies/*")]:
        leftover.unlink()
    shutil.rmtree(VAR / "beat", ignore_errors=True)
    # Redis keeps an append-only file: last run's cache and queue must not come back.
    shutil.rmtree(VAR / "redis", ignore_errors=True)
    stack = Stack(VAR, web_workers=args.web_workers, worker_concurrency=args.worker_concurrency)

    def stop_on_term(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    started = time.monotonic()
    try:
        return _run(args, stack, started)
    except KeyboardInterrupt:
        print("\nInterrupted: stopping the stack.", file=sys.stderr)
        return 130
    finally:
        stack.stop()


def _run(args: argparse.Namespace, stack: Stack, started: float) -> int:
    load_before = os.getloadavg()
    stack.start_services()
    port = free_port()
    given_database = args.database_url
    database_url = given_database or bench_sqlite_url()
    configure_environment(stack, port, database_url)

    django.setup()
    # The server logs each submission (to var/bench/log/web.log); here, only problems.
    logging.getLogger().setLevel(logging.WARNING)

    from articles import selectors  # noqa: PLC0415 (app code: after django.setup())

    print(f"Preparing the database ({connection.vendor}: {database_url.split('@')[-1]})…", flush=True)
    if given_database:
        print("  DATABASE_URL is set: benchmarking that database as given (it gains 100,000+ rows).", flush=True)
    prepare_database(database_url)
    user = front_desk_user()
    article = selectors.article_latest_live(limit=1)[0]
    web = stack.start_web(dict(os.environ), port)
    print(f"gunicorn ({args.web_workers} workers) on {web.url}, Redis on {stack.redis.port}", flush=True)

    desk = Client()
    desk.force_login(user)

    desk_cookie = f"{settings.SESSION_COOKIE_NAME}={desk.cookies[settings.SESSION_COOKIE_NAME].value}"
    runner = Runner(args, web.url, desk_cookie)
    probes = probe.Probes(
        anonymous=Client(),
        desk=desk,
        patients=runner.patients,
        article_path=article.get_absolute_url(),
        queue_path=QUEUE_PATH,
    )
    plan = scenarios(article.get_absolute_url())
    sizes = {}
    seeding = {}
    for size in args.sizes:
        seeding[size] = round(seed_callbacks(size), 1)
        print(f"\nSeeded {size:,} callbacks ({seeding[size]} s)", flush=True)
        sizes[size] = measure_size(runner, plan, size, probes)

    # The tasks the load queued by the thousand are dropped, so the worker
    # starts on an empty queue and the pass measures 20/s, not a backlog.

    # wrk stops with requests still in the server; let them finish (and publish) first.
    time.sleep(3)
    redis.Redis.from_url(stack.broker_url).flushdb()
    print(f"\n== {args.rate:g} submissions/s for {args.rate_seconds:g} s through the API, with a Celery worker")
    worker = stack.start_worker()
    # A worker that has run the pipeline once, as a worker in service has.
    latency.measure(port, stack.smtp, runner.patients, rate=5, seconds=1, wait=30)
    pipeline = latency.measure(
        port,
        stack.smtp,
        runner.patients,
        rate=args.rate,
        seconds=args.rate_seconds,
        wait=max(60.0, args.rate_seconds * 4),
    )
    worker.stop()
    pipeline["worker_tasks"] = latency.worker_task_stats(worker.log_path.read_text(errors="replace"))

    bursts = [] if args.skip_burst else run_bursts(args, stack, runner, port)

    # In process, while the server is idle and the worker stopped: triage is CPU, and the load would weigh on it.
    print(f"\n== triage of a {triage_cost.CHARS}-character text, in process", flush=True)
    triage = triage_cost.measure()
    print(f"  {triage_cost.describe(triage)}", flush=True)

    print(f"\n== submissions in process, {args.inprocess_count} of each, alternating", flush=True)
    in_process = inprocess.measure(probes, count=args.inprocess_count)
    print("\n".join(inprocess.describe(in_process)), flush=True)

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": report.machine_info(),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "stack": report.stack_info(connection, stack, args, database_given=bool(given_database)),
        "load": {
            "generator": loadgen.wrk_version(),
            "shape": runner.shape.describe(),
            "seconds_per_run": args.seconds,
            "rounds": args.rounds,
            "warmup_seconds": args.warmup,
        },
        "seeding_seconds": seeding,
        "sizes": {str(size): data for size, data in sizes.items()},
        "pipeline": pipeline,
        "bursts": bursts,
        "triage": triage,
        "inprocess": in_process,
    }
    results["targets"] = report.targets(results)
    missed = [t for t in results["targets"] if t["result"] == "MISS"]
    if any(t["scenario"] != "triage" for t in missed):
        print("\nSome targets were missed: profiling those scenarios in-process…", flush=True)
    results["diagnosis"] = report.diagnose(missed, probes, results)
    # Triage's share of a submission, from the submission's in-process profile; the targets again, with it.
    results["triage"]["submission"] = triage_cost.submission_share(results, probes)
    results["targets"] = report.targets(results)
    results["total_seconds"] = round(time.monotonic() - started, 1)
    markdown = report.markdown(results)
    report.write(args.output, results, markdown)
    print("\n" + markdown)
    print(f"Written to {args.output / 'latest.md'} and latest.json ({results['total_seconds']} s in all).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
