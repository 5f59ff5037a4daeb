"""Triage's recall on the labelled corpus (tests/triage/), written independently of the rules.

The thresholds are the clinic's: no emergency missed, at least 97% of the
urgent-or-emergency texts raised, at most 10% of the routine texts raised.
`make triage-eval` prints the same scores with every text triaged wrongly.
"""

import pytest

from tests.triage.evaluation import load, score, summarise, texts_of_500, timing

# One worker scores the corpus once for all these tests when pytest-xdist runs the suite (`make test`).
pytestmark = pytest.mark.xdist_group("triage-corpus")


@pytest.fixture(scope="module")
def results():
    return score(load())


def test_the_corpus_is_large_and_covers_every_class(results):
    assert len(results) >= 300
    classes = {r.case.klass for r in results}
    for needed in (
        "saddle_numbness", "bladder_bowel", "bilateral_legs", "progressive_weakness", "high_energy_trauma",
        "leg_nerve", "leg_weakness", "radiating_pain", "fever", "cancer", "weight_loss", "night_rest_pain",
        "severe_function", "minor_trauma", "fa_other_person", "fa_past_resolved", "fa_negated", "fa_misc",
    ):  # fmt: skip
        assert needed in classes, needed


def test_no_emergency_in_the_corpus_is_missed(results):
    missed = [r.case.id for r in results if r.case.tier == "emergency" and r.predicted != "emergency"]
    assert missed == []


def test_at_least_97_percent_of_raised_texts_are_raised(results):
    summary = summarise(results)
    assert summary.raised_recall >= 0.97, [
        r.case.id for r in results if r.case.tier != "routine" and r.predicted == "routine"
    ]


def test_at_most_10_percent_of_routine_texts_are_raised(results):
    summary = summarise(results)
    assert summary.false_alarm_rate <= 0.10, [
        r.case.id for r in results if r.case.tier == "routine" and r.predicted != "routine"
    ]


def test_the_timing_harness_measures_500_character_texts():
    """Speed is reported by `make triage-eval` and `make bench`, not asserted here (machines are noisy)."""
    texts = texts_of_500(load()[:5])
    assert all(len(text) == 500 for text in texts)
    median, p95 = timing(texts, repeat=1)
    assert 0 < median <= p95
