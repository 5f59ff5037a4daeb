"""Triage's in-process cost: one triage of a 500-character patient text, and its share of an API submission.

A step of `make bench`, and runnable alone (no server, no wrk, no database):

    .venv/bin/python -m bench.triage_cost

It reuses `make triage-eval`'s timing (tests/triage/evaluation.py): the
labelled corpus, each text cut or padded to 500 characters, the pipeline
warmed once, then every text triaged `repeat` times. The bench's own
submissions carry a short reason (`loadgen.REASON`), so triage's share of
a submission is timed on that reason too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402
from bench.probe import where_time_goes  # noqa: E402
from tests.triage.evaluation import load, texts_of_500, timing  # noqa: E402

CHARS = 500
MEDIAN_MAX_MS = 3.0
REPEAT = 3
REASON_REPEAT = 200


def measure(repeat: int = REPEAT, *, limit: int | None = None) -> dict:
    """Median and p95 ms of one triage of a 500-character text; and of the bench submissions' own reason."""
    texts = texts_of_500(load())[:limit]
    median, p95 = timing(texts, repeat)
    reason_median, reason_p95 = timing([loadgen.REASON], REASON_REPEAT)
    return {
        "chars": CHARS,
        "texts": len(texts),
        "passes": repeat,
        "samples": len(texts) * repeat,
        "median_ms": round(median, 3),
        "p95_ms": round(p95, 3),
        "goal_median_max_ms": MEDIAN_MAX_MS,
        "bench_reason": {
            "chars": len(loadgen.REASON),
            "samples": REASON_REPEAT,
            "median_ms": round(reason_median, 3),
            "p95_ms": round(reason_p95, 3),
        },
    }


def submission_share(results: dict, probes) -> dict:
    """The API submission's in-process time beside triage's part of it.

    From the in-process pass when there is one (`bench.inprocess`: the API
    submission alternating with itself with triage's result precomputed, so
    the difference is triage inside a real submission). Otherwise from a
    profile: the diagnosis's when the API target was missed, or one made
    here (`probe.where_time_goes`), against triage of the bench's reason
    timed alone.
    """
    cost = results["triage"]
    measured = results.get("inprocess")
    if measured and measured.get("triage_ms") is not None:
        submission_ms = measured["scenarios"]["api"]["median_ms"]
        triage_ms = measured["triage_ms"]
        source = "in process, against the same submission with triage's result precomputed"
    else:
        profile = results.get("diagnosis", {}).get("profiles", {}).get("api")
        source = "diagnosis"
        if profile is None:
            profile = where_time_goes(probes.requests()["api"])
            source = "profiled for the triage row"
        submission_ms = profile["ms_per_request"]
        triage_ms = cost["bench_reason"]["median_ms"]
    return {
        "submission_ms": submission_ms,
        "profile": source,
        "triage_ms": triage_ms,
        "share": round(triage_ms / submission_ms, 3) if submission_ms else None,
        # The same submission with a 500-character reason: the short reason's triage swapped for a long one's.
        "submission_ms_with_500_chars": round(submission_ms - triage_ms + cost["median_ms"], 2),
    }


def describe(cost: dict) -> str:
    """The "measured" cell of the report's triage row."""
    text = (
        f"median {cost['median_ms']:.2f} ms, p95 {cost['p95_ms']:.2f} ms "
        f"({cost['texts']} texts x {cost['passes']} passes)"
    )
    share = cost.get("submission")
    if share:
        text += (
            f"; triage: {share['triage_ms']:.2f} ms of {share['submission_ms']:.2f} ms per API submission in process "
            f"(its {cost['bench_reason']['chars']}-character reason; with {cost['chars']} characters "
            f"about {share['submission_ms_with_500_chars']:.1f} ms)"
        )
    return text


def passed(cost: dict) -> bool:
    return cost["median_ms"] <= cost["goal_median_max_ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=REPEAT, help=f"passes over the corpus (default {REPEAT})")
    parser.add_argument("--json", action="store_true", help="print the measurement as JSON")
    args = parser.parse_args(argv)
    cost = measure(args.repeat)
    if args.json:
        print(json.dumps(cost, indent=2))
    else:
        result = "PASS" if passed(cost) else "MISS"
        print(f"triage of a {cost['chars']}-character text ≤ {MEDIAN_MAX_MS:g} ms (median): {describe(cost)} {result}")
        reason = cost["bench_reason"]
        print(
            f"the bench submissions' {reason['chars']}-character reason: median {reason['median_ms']:.2f} ms, "
            f"p95 {reason['p95_ms']:.2f} ms ({reason['samples']} runs); its share of a submission needs `make bench`"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
