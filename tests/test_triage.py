"""Red-flag triage: symptoms that need prompt care make a request urgent; ordinary running aches do not."""

import pytest

from requests_app.triage import RED_FLAGS, SYMPTOMS, triage

FREE_TEXT_RED_FLAGS = [
    ("Numbness around my groin since yesterday", "saddle_numbness"),
    ("My inner thighs feel numb when I sit", "saddle_numbness"),
    ("Saddle area tingles", "saddle_numbness"),
    ("I've had trouble peeing since Tuesday", "bladder_bowel"),
    ("Some incontinence started this week", "bladder_bowel"),
    ("lost control of my bladder once", "bladder_bowel"),
    ("My right leg feels weak on stairs", "leg_weakness"),
    ("I think I have foot drop, my toes catch", "leg_weakness"),
    ("my knee gives way going downhill", "leg_weakness"),
    ("Numbness in my left foot after 5k", "leg_numbness"),
    ("pins and needles in my calf", "leg_numbness"),
    ("Tingling down the outside of my shin", "leg_numbness"),
    ("Pain shooting down my right leg", "radiating_leg_pain"),
    ("I think it's sciatica", "radiating_leg_pain"),
    ("a burning pain going down the back of my thigh", "radiating_leg_pain"),
    ("I fell on ice last week", "after_trauma"),
    ("It started after a car accident in May", "after_trauma"),
    ("hit by a cyclist on the towpath", "after_trauma"),
    ("I had a fever last night too", "fever_weight_loss"),
    ("unexplained weight loss of 10 pounds", "fever_weight_loss"),
    ("I had prostate cancer five years ago", "cancer_history"),
    ("finished chemo in 2023", "cancer_history"),
    ("I can't stand up straight in the morning", "severe_or_night_pain"),
    ("the pain wakes me up at night", "severe_or_night_pain"),
    ("It's worse at night and unbearable", "severe_or_night_pain"),
]


@pytest.mark.parametrize(("reason", "code"), FREE_TEXT_RED_FLAGS)
def test_each_red_flag_described_in_the_patients_words_makes_the_request_urgent(reason, code):
    result = triage(symptoms=[], reason=reason)
    assert code in result.codes
    assert result.urgent


def test_every_red_flag_has_a_free_text_example():
    assert {code for _, code in FREE_TEXT_RED_FLAGS} == {flag.code for flag in RED_FLAGS}


@pytest.mark.parametrize("symptom", [s for s in SYMPTOMS if s.red_flag], ids=lambda s: s.code)
def test_each_red_flag_box_on_the_checklist_makes_the_request_urgent(symptom):
    result = triage(symptoms=[symptom.code], reason="")
    assert result.codes == [symptom.red_flag]


@pytest.mark.parametrize("symptom", [s for s in SYMPTOMS if not s.red_flag], ids=lambda s: s.code)
def test_ordinary_checklist_symptoms_stay_routine(symptom):
    assert not triage(symptoms=[symptom.code], reason="").urgent


@pytest.mark.parametrize(
    "reason",
    [
        "no numbness",
        "without any tingling",
        "I don't have a fever",
        "I don\u2019t have any numbness or tingling",
        "There is no weakness in my legs",
        "No fever or weight loss",
        "never had cancer",
        "I haven't fallen, it came on gradually",
        "It is not numb, it just aches",
        "Doctor ruled out sciatica last year",
        "the pain is not severe",
        "no problems with my bladder or bowels",
    ],
)
def test_negated_mentions_do_not_flag(reason):
    assert triage(symptoms=[], reason=reason).codes == []


@pytest.mark.parametrize(
    "reason",
    [
        "My lower back is sore after long runs",
        "Tight hamstrings and hip flexors, stiff in the morning",
        "Upper back aches when I run downhill",
        "Training for a fall marathon and my back is achy after 20 milers",
        "Ache between my shoulder blades after tempo runs",
        "My mother had breast cancer; I just want my running form checked",
        "Sore lower back since I increased my mileage and bought new shoes",
        "",
    ],
)
def test_ordinary_running_aches_stay_routine(reason):
    assert triage(symptoms=["lower_back_pain", "stiffness"], reason=reason).codes == []


def test_a_negation_does_not_hide_a_red_flag_in_the_next_clause():
    result = triage(symptoms=[], reason="No numbness, but pain shooting down my left leg")
    assert result.codes == ["radiating_leg_pain"]


def test_bladder_and_saddle_symptoms_are_emergencies_and_others_are_not():
    assert triage(symptoms=["bladder_bowel"], reason="").emergency
    assert triage(symptoms=["saddle_numbness"], reason="").emergency
    assert not triage(symptoms=["radiating_leg_pain"], reason="").emergency


def test_every_rule_says_why_it_matters():
    for flag in RED_FLAGS:
        assert len(flag.reason) > 40, flag.code
