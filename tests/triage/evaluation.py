"""Score triage on the labelled corpus: `make triage-eval` (or `python -m tests.triage.evaluation`).

The corpus is `tests/triage/corpus_*.jsonl`: texts written the way patients
write to a clinic form, each labelled with the tier a clinician would give
it and the class of wording it tests. The labels were written before the
rules were tuned against them; `corpus_c` was scored once, untuned, before
any rule was changed for it (see the README's triage section).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIERS = ("emergency", "urgent", "routine")


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    tier: str
    klass: str


@dataclass(frozen=True)
class Scored:
    case: Case
    predicted: str
    flags: tuple[str, ...]


def load(names: list[str] | None = None) -> list[Case]:
    cases = []
    for path in sorted(HERE.glob("corpus_*.jsonl")):
        if names and path.stem.removeprefix("corpus_") not in names:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                cases.append(Case(id=row["id"], text=row["text"], tier=row["tier"], klass=row["class"]))
    return cases


def score(cases: list[Case]) -> list[Scored]:
    from requests_app.triage import triage  # noqa: PLC0415 (app code: after django.setup() in bench/)

    results = []
    for case in cases:
        result = triage(reason=case.text)
        results.append(Scored(case=case, predicted=result.priority, flags=tuple(result.codes)))
    return results


@dataclass(frozen=True)
class Summary:
    emergencies: int
    emergencies_caught: int
    raised: int
    raised_caught: int
    routine: int
    false_alarms: int

    @property
    def emergency_recall(self) -> float:
        return self.emergencies_caught / self.emergencies if self.emergencies else 1.0

    @property
    def raised_recall(self) -> float:
        return self.raised_caught / self.raised if self.raised else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.routine if self.routine else 0.0


def summarise(results: list[Scored]) -> Summary:
    emergencies = [r for r in results if r.case.tier == "emergency"]
    raised = [r for r in results if r.case.tier != "routine"]
    routine = [r for r in results if r.case.tier == "routine"]
    return Summary(
        emergencies=len(emergencies),
        emergencies_caught=sum(r.predicted == "emergency" for r in emergencies),
        raised=len(raised),
        raised_caught=sum(r.predicted != "routine" for r in raised),
        routine=len(routine),
        false_alarms=sum(r.predicted != "routine" for r in routine),
    )


def report(results: list[Scored], *, show_wrong: bool = True) -> str:
    lines = []
    summary = summarise(results)
    lines.append(f"{len(results)} texts")
    for tier in TIERS:
        labelled = [r for r in results if r.case.tier == tier]
        got = Counter(r.predicted for r in labelled)
        lines.append(f"  labelled {tier:9}: {len(labelled):3}  triaged as " + ", ".join(f"{t} {got[t]}" for t in TIERS))
    lines.append(
        f"emergency recall            {summary.emergencies_caught}/{summary.emergencies}"
        f" = {summary.emergency_recall:.1%}   (goal 100%)"
    )
    lines.append(
        f"urgent-or-emergency recall  {summary.raised_caught}/{summary.raised}"
        f" = {summary.raised_recall:.1%}   (goal >= 97%)"
    )
    lines.append(
        f"routine texts raised        {summary.false_alarms}/{summary.routine}"
        f" = {summary.false_alarm_rate:.1%}   (goal <= 10%)"
    )
    by_class: Counter[str] = Counter()
    wrong_by_class: Counter[str] = Counter()
    for r in results:
        by_class[r.case.klass] += 1
        if _wrong(r):
            wrong_by_class[r.case.klass] += 1
    classes = ", ".join(f"{k} {wrong_by_class[k]}/{n}" for k, n in sorted(by_class.items()))
    lines.append(f"by class (wrong/all): {classes}")
    if show_wrong:
        wrong = [r for r in results if _wrong(r)]
        lines.append(f"\n{len(wrong)} texts triaged differently from their label:")
        for r in wrong:
            flags = ", ".join(r.flags) or "no flag"
            lines.append(f"- {r.case.id} [{r.case.klass}] labelled {r.case.tier}, triaged {r.predicted} ({flags})")
            lines.append(f"    {r.case.text}")
    return "\n".join(lines)


def _wrong(r: Scored) -> bool:
    """Triaged other than labelled: a miss, a false alarm, or a raised text put in the other raised tier.

    Over-triage (urgent text triaged emergency) counts as caught for recall but is still listed.
    """
    return r.predicted != r.case.tier


def timing(texts: list[str], repeat: int = 3) -> tuple[float, float]:
    """Median and p95 milliseconds of one triage, over `texts` cut or padded to 500 characters."""
    from requests_app.triage import triage, warm_up  # noqa: PLC0415 (app code: after django.setup() in bench/)

    warm_up()
    samples = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            triage(reason=text)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def texts_of_500(cases: list[Case]) -> list[str]:
    """Each corpus text repeated with the next ones until it is 500 characters, then cut there."""
    out = []
    for index, case in enumerate(cases):
        text, step = case.text, 1
        while len(text) < 500:
            text += " " + cases[(index + step) % len(cases)].text
            step += 1
        out.append(text[:500])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", help="only these corpora (a, b, c); default all")
    parser.add_argument("--quiet", action="store_true", help="do not list the texts triaged wrongly")
    parser.add_argument("--timing", action="store_true", help="also time triage on 500-character texts")
    args = parser.parse_args(argv)
    cases = load(args.corpus)
    results = score(cases)
    print(report(results, show_wrong=not args.quiet))
    if args.timing:
        median, p95 = timing(texts_of_500(cases))
        print(f"\ntriage of a 500-character text: median {median:.2f} ms, p95 {p95:.2f} ms (goal: median <= 3 ms)")
    summary = summarise(results)
    ok = summary.emergency_recall == 1.0 and summary.raised_recall >= 0.97 and summary.false_alarm_rate <= 0.10
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    sys.exit(main())
