"""Red-flag triage: three tiers from the screening answers and the patient's own words.

These are the rules' own examples, one or more per flag and per kind of
wording a clinician named; the labelled corpus in tests/triage/ measures
recall on texts written independently of the rules (test_triage_corpus.py).
"""

import re

import pytest

from requests_app.triage import QUESTIONS, RED_FLAGS, Tier, lexicon, triage
from requests_app.triage import context as ctx
from requests_app.triage.screening import QUESTIONS_BY_CODE
from tests.triage import phrasings

EMERGENCY_TEXTS = [
    ("Numbness around my groin since yesterday", "saddle_numbness"),
    ("numb down there and it feels weird when I wipe", "saddle_numbness"),
    ("my bits feel strange, like after the dentist", "saddle_numbness"),
    ("cant pee properly since my back went, have to strain", "bladder_bowel"),
    ("nothing comes out even though I need to go", "bladder_bowel"),
    ("peeing issues since Tuesday", "bladder_bowel"),
    ("had an accident w number 2, didnt feel it coming", "bladder_bowel"),
    ("no puedo orinar desde ayer", "bladder_bowel"),
    ("both legs feel weak and wobbly", "bilateral_legs"),
    ("pins and needles down both legs", "bilateral_legs"),
    ("sciatica in the left leg last week and now the right leg too", "bilateral_legs"),
    ("yesterday I was limping, today I can't lift my foot at all", "progressive_weakness"),
    ("my right leg is getting weaker by the day", "progressive_weakness"),
    ("rear-ended on the freeway on Friday", "major_trauma"),
    ("fell off a ladder cleaning the gutters", "major_trauma"),
    ("clipped by a car while out running", "major_trauma"),
    ("me caí de la escalera, como 2 metros", "major_trauma"),
]

URGENT_TEXTS = [
    ("pins n needles in my toes", "leg_numbness"),
    ("my left foot feels like it's asleep", "leg_numbness"),
    ("numbnes in my left foot", "leg_numbness"),
    ("hormigueo en la pierna derecha", "leg_numbness"),
    ("my foot slaps the ground when I run", "leg_weakness"),
    ("I can't walk on my heels on the left side", "leg_weakness"),
    ("my knee buckles going downstairs", "leg_weakness"),
    ("pain shooting down my right leg", "radiating_leg_pain"),
    ("siatica on the left", "radiating_leg_pain"),
    ("temp of 38.5 and chills", "fever"),
    ("night sweats for a week", "fever"),
    ("hx of breast ca, finished chemo 2021", "cancer_history"),
    ("lost 8 kg without trying", "weight_loss"),
    ("10 lbs down and I'm not dieting", "weight_loss"),
    ("the pain wakes me up every night and nothing helps", "night_pain"),
    ("pain is 9/10", "severe_pain"),
    ("I can't stand up straight, walking bent over", "severe_pain"),
    ("came off my bike on the towpath", "minor_trauma"),
    ("slipped on ice on Monday's run", "minor_trauma"),
]

ROUTINE_TEXTS = [
    "My lower back is sore after long runs",
    "Training for a fall marathon and my back is achy after 20 milers",
    "I fell behind on my training plan and my back is stiff",
    "dead legs after hill reps and a tight lower back",
    "My mother had breast cancer; I just want my running form checked",
    "my friend had sciatica but I don't",
    "Had sciatica two years ago. Fully gone now.",
    "had a fever last week with a cold, all gone now",
    "tingling? no. bladder fine. nothing down the leg",
    "no numbness, no tingling, no weakness",
    "I don't have any numbness or bladder problems",
    "can't say I've ever had numbness",
    "down 5 kg on purpose since January",
    "pain 3/10 after tempo runs",
    "up at night with the baby, back stiff in the morning",
    "If I got sciatica would I have to stop running?",
]


@pytest.mark.parametrize(("text", "code"), EMERGENCY_TEXTS)
def test_signs_of_cauda_equina_both_legs_worsening_weakness_or_major_trauma_are_emergencies(text, code):
    result = triage(reason=text)
    assert code in result.codes
    assert result.tier == Tier.EMERGENCY


@pytest.mark.parametrize(("text", "code"), URGENT_TEXTS)
def test_nerve_signs_in_one_leg_fever_cancer_weight_loss_night_pain_and_falls_are_urgent(text, code):
    result = triage(reason=text)
    assert code in result.codes
    assert result.tier == Tier.URGENT


@pytest.mark.parametrize("text", ROUTINE_TEXTS)
def test_ordinary_aches_and_mentions_that_do_not_count_stay_routine(text):
    result = triage(reason=text)
    assert result.tier == Tier.ROUTINE, result.evidence


def test_every_flag_has_an_example_here():
    examples = {code for _, code in EMERGENCY_TEXTS + URGENT_TEXTS}
    assert examples == {flag.code for flag in RED_FLAGS}


def test_a_negation_does_not_hide_a_red_flag_in_the_next_clause():
    result = triage(reason="No numbness, but pain shooting down my left leg")
    assert result.codes == ["radiating_leg_pain"]


def test_writing_for_someone_else_keeps_their_symptoms():
    result = triage(reason="Booking for my son, 16: his left foot has gone numb since cross country")
    assert result.codes == ["leg_numbness"]


def test_a_cancer_history_counts_however_long_ago_and_however_resolved():
    assert triage(reason="breast cancer in 2009, fully resolved, all clear since").codes == ["cancer_history"]


def test_the_evidence_quotes_the_patients_own_words_with_their_position():
    text = "Sore back. Also pins n needles in my left calf after 5k."
    [evidence] = triage(reason=text).evidence
    assert evidence.quote == "pins n needles in my left calf"
    assert text[evidence.start : evidence.end] == evidence.quote


def test_evidence_positions_survive_a_spelling_correction():
    text = "I have numbnes in my left foot"
    [evidence] = triage(reason=text).evidence
    assert evidence.quote == "numbnes in my left foot"
    assert text[evidence.start : evidence.end] == evidence.quote


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.code)
def test_a_yes_to_a_screening_question_raises_its_flag_and_tier(question):
    result = triage(screening={question.code: "yes"})
    assert result.codes == [question.flag_code]
    assert result.tier == question.flag.tier


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.code)
def test_not_sure_raises_to_at_least_urgent_and_names_the_question_to_ask_first(question):
    result = triage(screening={question.code: "not_sure"})
    assert result.tier == Tier.URGENT
    assert result.unsure == (question.code,)


def test_answers_of_no_with_a_red_flag_in_the_text_still_raise():
    answers = {q.code: "no" for q in QUESTIONS}
    assert triage(reason="can't pee since yesterday", screening=answers).tier == Tier.EMERGENCY


def test_a_yes_raises_even_when_the_text_is_ordinary():
    result = triage(reason="sore after runs", screening={"cancer": "yes"})
    assert result.tier == Tier.URGENT


def test_the_emergency_questions_map_to_emergency_flags():
    for code in ("saddle_numbness", "bladder_bowel", "both_legs", "serious_accident"):
        assert QUESTIONS_BY_CODE[code].flag.tier == Tier.EMERGENCY


def test_every_flag_says_why_it_matters_and_what_to_ask():
    for flag in RED_FLAGS:
        assert len(flag.reason) > 60, flag.code
        assert "?" in flag.call_script, flag.code


def _all_patterns():
    for label, patterns in lexicon.TARGETS.items():
        for pattern in patterns:
            yield label, pattern
    for rule in ctx.RULES:
        yield rule.literal, rule.pattern


@pytest.mark.parametrize(("name", "pattern"), list(_all_patterns()), ids=lambda v: str(v)[:40])
def test_no_rule_matches_nothing(name, pattern):
    """An empty alternative ("a|\\b|b") matches at every word: it once made every word hypothetical."""
    neutral = "the quick brown fox jumps over the lazy dog, then naps in the sun."
    assert re.fullmatch(pattern, "") is None, name
    assert all(match.group() for match in re.finditer(pattern, neutral)), name


@pytest.mark.parametrize(
    ("text", "tier"),
    [(t, "emergency") for t in phrasings.EMERGENCY]
    + [(t, "urgent") for t in phrasings.URGENT]
    + [(t, "routine") for t in phrasings.ROUTINE],
)
def test_everyday_phrasings_get_their_tier(text, tier):
    assert triage(reason=text).priority == tier
