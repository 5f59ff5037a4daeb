"""The screening questions: each red flag asked in plain words, answered yes, no or not sure.

A question left unanswered is recorded as skipped, never as "no": the desk
asks it on the call. "Not sure" raises the request to at least urgent, and
the desk is told which question to ask first.
"""

from __future__ import annotations

from dataclasses import dataclass

from requests_app.triage.flags import RED_FLAGS_BY_CODE, RedFlag

YES, NO, NOT_SURE = "yes", "no", "not_sure"
ANSWERS = (YES, NO, NOT_SURE)
ANSWER_LABELS = {YES: "Yes", NO: "No", NOT_SURE: "Not sure"}
ANSWER_CHOICES = [(answer, answer) for answer in ANSWERS]
SKIPPED = "skipped"


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    # Shown under the question: what the words mean, in everyday terms.
    hint: str
    flag_code: str
    group: str

    @property
    def flag(self) -> RedFlag:
        return RED_FLAGS_BY_CODE[self.flag_code]


URGENT_NOW = "Signs that need care today"
NERVES = "Your legs and nerves"
GENERAL = "Your health in general"

QUESTIONS: tuple[Question, ...] = (
    Question(
        "saddle_numbness",
        "Is any part of the area between your legs numb, or does it feel different when you sit or wipe?",
        "The groin, genitals, bottom or inner thighs: the area that would touch a saddle.",
        "saddle_numbness",
        URGENT_NOW,
    ),
    Question(
        "bladder_bowel",
        "Since the pain began, have you had new trouble peeing or with your bowels?",
        "Straining to start, not being able to go, not feeling when you need to, or leaking.",
        "bladder_bowel",
        URGENT_NOW,
    ),
    Question(
        "both_legs",
        "Are both legs weak, numb or painful, or is a weak leg getting worse by the hour or day?",
        "For example, tripping more each day, or both feet feeling numb.",
        "bilateral_legs",
        URGENT_NOW,
    ),
    Question(
        "serious_accident",
        "Did the pain start after a serious accident, such as a car crash or a fall from a height?",
        "A fall from a ladder, a roof or down a flight of stairs, or being hit by a vehicle.",
        "major_trauma",
        URGENT_NOW,
    ),
    Question(
        "leg_nerves",
        "Do you have numbness, tingling or pins and needles in a leg or foot?",
        "Also a foot or toes that feel asleep or dead.",
        "leg_numbness",
        NERVES,
    ),
    Question(
        "leg_weakness",
        "Is one leg weak, does a foot drag or slap, or does a knee give way?",
        "For example, you cannot lift your toes or walk on your heels.",
        "leg_weakness",
        NERVES,
    ),
    Question(
        "leg_pain",
        "Does pain shoot or travel down a leg, below the knee?",
        "Often called sciatica.",
        "radiating_leg_pain",
        NERVES,
    ),
    Question(
        "cannot_walk",
        "Is the pain so bad that you cannot walk or stand up straight?",
        "",
        "severe_pain",
        GENERAL,
    ),
    Question(
        "night_pain",
        "Does the pain wake you at night, or stay when you lie still, whatever you do?",
        "",
        "night_pain",
        GENERAL,
    ),
    Question(
        "fever",
        "Have you had a fever, chills or night sweats with the back pain?",
        "A temperature of 38 °C (100.4 °F) or more.",
        "fever",
        GENERAL,
    ),
    Question("cancer", "Have you ever had cancer?", "Even if it was treated long ago.", "cancer_history", GENERAL),
    Question(
        "weight_loss",
        "Have you lost weight recently without trying?",
        "",
        "weight_loss",
        GENERAL,
    ),
    Question(
        "fall",
        "Did the pain start after a fall, a knock or another accident?",
        "Tripping while running, slipping on ice, coming off a bike.",
        "minor_trauma",
        GENERAL,
    ),
)
QUESTIONS_BY_CODE: dict[str, Question] = {question.code: question for question in QUESTIONS}
GROUPS: tuple[str, ...] = (URGENT_NOW, NERVES, GENERAL)


def clean_answers(answers: dict[str, str]) -> dict[str, str]:
    """Known questions with a known answer; anything else is dropped."""
    return {code: answer for code, answer in answers.items() if code in QUESTIONS_BY_CODE and answer in ANSWERS}


def answers_for_display(answers: dict[str, str]) -> list[tuple[Question, str]]:
    """Every question in order with its answer's label, "Skipped" where there is none."""
    return [(question, ANSWER_LABELS.get(answers.get(question.code, ""), "Skipped")) for question in QUESTIONS]
