"""Red-flag triage: emergency, urgent or routine, from the screening answers and the patient's own words.

- `flags`: the red flags, each with its tier, the reason and the call script.
- `screening`: the yes / no / not sure questions the form and the API ask.
- `lexicon` and `context`: how patients word each flag, and when a mention
  does not count (negated, someone else's, over, hypothetical).
- `engine`: medspaCy's matcher and ConText over the text, once per process.
- `guidance`: what the patient is told to do now, per tier.

Triage flags, it never diagnoses, and it never lowers a tier: either the
answers or the text can raise a request, and when in doubt it raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from requests_app.triage.flags import LEGACY_CODES, RED_FLAGS, RED_FLAGS_BY_CODE, RedFlag, Tier, flag_for
from requests_app.triage.screening import NOT_SURE, QUESTIONS, QUESTIONS_BY_CODE, YES, clean_answers
from requests_app.triage.symptoms import SYMPTOM_CHOICES, SYMPTOMS, SYMPTOMS_BY_CODE, Symptom

__all__ = [
    "LEGACY_CODES",
    "QUESTIONS",
    "QUESTIONS_BY_CODE",
    "RED_FLAGS",
    "RED_FLAGS_BY_CODE",
    "SYMPTOMS",
    "SYMPTOMS_BY_CODE",
    "SYMPTOM_CHOICES",
    "Evidence",
    "RedFlag",
    "Symptom",
    "Tier",
    "TriageResult",
    "flag_for",
    "triage",
    "warm_up",
]


@dataclass(frozen=True)
class Evidence:
    """Why a flag was raised: the patient's words (offsets in the reason), an answer, or a ticked box."""

    flag: str
    source: str  # "text", "screening" or "checklist"
    quote: str = ""
    start: int | None = None
    end: int | None = None
    question: str = ""
    answer: str = ""

    def as_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if value not in ("", None)}


@dataclass(frozen=True)
class TriageResult:
    tier: Tier
    flags: tuple[RedFlag, ...]
    evidence: tuple[Evidence, ...] = ()
    # Questions answered "not sure": the desk asks these first.
    unsure: tuple[str, ...] = field(default=())

    @property
    def priority(self) -> str:
        return self.tier.code

    @property
    def urgent(self) -> bool:
        """Raised above routine (urgent or emergency)."""
        return self.tier >= Tier.URGENT

    @property
    def emergency(self) -> bool:
        return self.tier == Tier.EMERGENCY

    @property
    def codes(self) -> list[str]:
        return [flag.code for flag in self.flags]


def triage(
    *, reason: str = "", screening: dict[str, str] | None = None, symptoms: list[str] | tuple[str, ...] = ()
) -> TriageResult:
    """The tier of a request and the evidence for each flag. Any one source can raise it."""
    from requests_app.triage.engine import read

    evidence: list[Evidence] = []
    unsure: list[str] = []
    tier = Tier.ROUTINE
    for code, answer in clean_answers(screening or {}).items():
        question = QUESTIONS_BY_CODE[code]
        if answer == YES:
            evidence.append(Evidence(flag=question.flag_code, source="screening", question=code, answer=answer))
        elif answer == NOT_SURE:
            # Not sure is not no: at least urgent, and the desk asks this question first.
            unsure.append(code)
            tier = max(tier, Tier.URGENT)
    for code in symptoms:
        symptom = SYMPTOMS_BY_CODE.get(code)
        if symptom is not None and symptom.red_flag:
            evidence.append(Evidence(flag=symptom.red_flag, source="checklist", answer=code))
    for found in read(reason):
        evidence.append(Evidence(flag=found.flag, source="text", quote=found.quote, start=found.start, end=found.end))

    codes = {item.flag for item in evidence}
    flags = tuple(flag for flag in RED_FLAGS if flag.code in codes)
    for flag in flags:
        tier = max(tier, flag.tier)
    return TriageResult(tier=tier, flags=flags, evidence=tuple(evidence), unsure=tuple(unsure))


def warm_up() -> None:
    """Build the text pipeline now (about a second), so no patient waits for it."""
    from requests_app.triage.engine import nlp

    nlp()
