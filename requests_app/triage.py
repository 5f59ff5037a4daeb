"""Red-flag triage: which reported symptoms need prompt care.

All the rules live here, each with the reason a clinician would give for
it. A request is urgent when the patient ticks a red-flag symptom on the
checklist or describes one in their own words. Triage never diagnoses and
never lowers a priority: when in doubt it flags, and a person calls back.

A mention in the free text does not count when it is negated in the same
clause ("no numbness", "without any tingling", "I don't have a fever").
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Symptom:
    """One box on the form's symptom checklist."""

    code: str
    label: str
    red_flag: str | None = None


@dataclass(frozen=True)
class RedFlag:
    code: str
    label: str
    reason: str
    patterns: tuple[str, ...]
    # Go to an emergency department now, rather than wait for a call back.
    emergency: bool = False
    # Words earlier in the same clause that mean the mention is not about the patient.
    exclusions: tuple[str, ...] = ()


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        code="saddle_numbness",
        label="Numbness in the groin, buttocks or inner thighs",
        reason="Numbness in the 'saddle' area can mean pressure on the nerves at the base of the spine "
        "(cauda equina syndrome), which needs emergency care to protect bladder, bowel and leg function.",
        patterns=(
            r"saddle",
            r"(numb|tingl)\w*\s+(in\s+|around\s+)?(my\s+|the\s+)?(groin|genital|crotch|inner thigh|buttock|bottom|bum)",
            r"(groin|genital|crotch|inner thighs?|buttocks?)\s+(is\s+|are\s+|feels?\s+)?(numb|tingl)",
        ),
        emergency=True,
    ),
    RedFlag(
        code="bladder_bowel",
        label="New loss of bladder or bowel control",
        reason="New trouble controlling or emptying the bladder or bowels with back pain is a sign of "
        "cauda equina syndrome: an emergency.",
        patterns=(
            r"incontinen\w*",
            r"(bladder|bowel)s?\s+(control|problem|issue|trouble|accident|leak)",
            r"(control|controlling)\s+(of\s+)?(my\s+)?(bladder|bowel|pee|urine)",
            r"(wet|soiled)\s+(myself|the bed)",
            r"(cannot|unable to|trouble|difficulty|problems?)\s+(peeing|pee|urinat|empty\w* my bladder)\w*",
            r"(leak|leaking)\s+(urine|pee)",
        ),
        emergency=True,
    ),
    RedFlag(
        code="leg_weakness",
        label="Weakness in a leg, or a foot that drags or slaps",
        reason="Weakness or foot drop means a nerve may be losing function; the sooner it is assessed, "
        "the better the chance of recovery.",
        patterns=(
            r"foot\s*drop",
            r"drop\s*foot",
            r"(weak|weakness|weakening)\s+(in\s+)?(my\s+|both\s+|the\s+)?(legs?|foot|feet|ankles?|knees?)",
            r"(legs?|foot|feet|ankles?|knees?)\s+(is\s+|are\s+|feels?\s+|feel\s+|getting\s+|going\s+)?weak",
            r"(legs?|knees?)\s+(gives?|giving|gave)\s+(way|out)",
            r"(foot|feet|toes)\s+(drags?|dragging|slaps?|slapping)",
            r"trip(ping)?\s+over\s+my\s+(own\s+)?(foot|feet|toes)",
        ),
    ),
    RedFlag(
        code="leg_numbness",
        label="Numbness or tingling in a leg or foot",
        reason="Numbness or tingling down a leg suggests an irritated or compressed nerve root that "
        "should be examined promptly.",
        patterns=(
            r"numb\w*",
            r"tingl\w*",
            r"pins\s+and\s+needles",
            r"(lost|losing|loss of)\s+(the\s+)?(feeling|sensation)",
        ),
    ),
    RedFlag(
        code="radiating_leg_pain",
        label="Pain shooting down a leg",
        reason="Pain that travels down a leg (sciatica) points to nerve involvement and is best assessed "
        "early, before it limits walking or running.",
        patterns=(
            r"sciatica",
            r"(shoot|shooting|shoots|radiat\w*|travel\w*|spread\w*|goes|going|runs|running|electric|burning)\s+"
            r"(pain\s+)?(all\s+the\s+way\s+)?down\s+(the\s+back\s+of\s+)?(my\s+|the\s+|both\s+|one\s+)?"
            r"((left|right|other)\s+)?(legs?|thighs?|calf|calves)",
            r"(pain|ache)\s+(in|down)\s+(my\s+|the\s+)?(legs?|buttock)\s+(and|to)\s+(my\s+|the\s+)?(foot|feet|toes)",
        ),
    ),
    RedFlag(
        code="after_trauma",
        label="Pain that started after a fall or accident",
        reason="Back pain after a fall, a collision or a car accident may hide a fracture and should be "
        "examined before running again.",
        patterns=(
            r"\bfell\b",
            r"\b(a|my|the)\s+fall\b(?!\s+(marathon|race|half|season|10k|5k|training|running|run|ultra|series))",
            r"\bafter\s+falling\b",
            r"\b(tripped|slipped)\s+and\b",
            r"\baccident\b",
            r"\b(car|bike|bicycle|cycling|road|traffic)\s+(crash|collision|accident)\b",
            r"\b(hit|struck)\s+by\s+a\s+(car|vehicle|bike|cyclist)\b",
            r"\bcollision\b",
        ),
    ),
    RedFlag(
        code="fever_weight_loss",
        label="Fever, or weight loss you cannot explain",
        reason="Back pain with a fever or unexplained weight loss can be a sign of infection or another "
        "illness in the spine and needs prompt assessment.",
        patterns=(
            r"fever\w*",
            r"feverish",
            r"night\s+sweats",
            r"(unexplained|unintentional|unintended|sudden)\s+weight\s+loss",
            r"(losing|lost)\s+(a lot of\s+)?weight\s+(without|for no)",
            r"weight\s+loss",
        ),
    ),
    RedFlag(
        code="cancer_history",
        label="A history of cancer",
        reason="Back pain in someone who has had cancer needs checking for spread to the spine, even "
        "when the cancer was treated long ago.",
        patterns=(r"cancer", r"tumou?r", r"chemo\w*", r"oncolog\w*", r"lymphoma", r"leuka?emia", r"myeloma"),
        exclusions=(
            r"(mother|father|mom|mum|dad|sister|brother|aunt|uncle|grand\w*|parent|family|friend|wife|husband|partner)",
        ),
    ),
    RedFlag(
        code="severe_or_night_pain",
        label="Severe pain that stops you standing straight, or that is worse at night",
        reason="Pain that prevents standing upright, or that grows at night and at rest, is not the usual "
        "pattern of a running strain and should be seen soon.",
        patterns=(
            r"(cannot|unable to|not able to|struggl\w* to|hard to)\s+(stand|straighten)\s*(up\s*)?(straight|upright)?",
            r"(worse|wors\w+|keeps me up|wakes? me( up)?|waking me)\s+(at|in the|during the)?\s*night",
            r"(at|in the)\s+night\s+(it\s+)?(is\s+|gets?\s+)?(worse|unbearable)",
            r"(unbearable|excruciating|agoni[sz]ing|worst pain)",
            r"(severe|extreme)\s+(back\s+)?pain",
            r"(10|ten)\s*(/|out of)\s*(10|ten)",
        ),
    ),
)
RED_FLAGS_BY_CODE = {flag.code: flag for flag in RED_FLAGS}

SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("lower_back_pain", "Lower back pain"),
    Symptom("upper_back_pain", "Upper or middle back pain"),
    Symptom("stiffness", "Stiffness after running or in the morning"),
    Symptom("hip_buttock_pain", "Pain in the hip or buttock"),
    Symptom("radiating_leg_pain", "Pain shooting down a leg", red_flag="radiating_leg_pain"),
    Symptom("leg_numbness", "Numbness or tingling in a leg or foot", red_flag="leg_numbness"),
    Symptom("leg_weakness", "Weakness in a leg, or a foot that drags", red_flag="leg_weakness"),
    Symptom("saddle_numbness", "Numbness in the groin, buttocks or inner thighs", red_flag="saddle_numbness"),
    Symptom("bladder_bowel", "New trouble controlling your bladder or bowels", red_flag="bladder_bowel"),
    Symptom("after_trauma", "The pain started after a fall or accident", red_flag="after_trauma"),
    Symptom("fever_weight_loss", "Fever, or weight loss you cannot explain", red_flag="fever_weight_loss"),
    Symptom("cancer_history", "You have had cancer", red_flag="cancer_history"),
    Symptom(
        "severe_or_night_pain",
        "Severe pain that stops you standing straight, or is worse at night",
        red_flag="severe_or_night_pain",
    ),
)
SYMPTOMS_BY_CODE = {symptom.code: symptom for symptom in SYMPTOMS}
SYMPTOM_CHOICES = [(symptom.code, symptom.label) for symptom in SYMPTOMS]

# Words that turn a mention into its absence when they come earlier in the
# same clause, within a few words.
_NEGATION = re.compile(
    r"\b(no|not|without|never|denies|deny|denied|free of|none|nor|neither|n't|dont|doesnt|didnt|"
    r"havent|hasnt|isnt|arent|wasnt|no longer|ruled out|negative for)\b",
    re.IGNORECASE,
)
# A clause ends at punctuation or at a word that turns the sentence around.
_CLAUSE_BREAK = re.compile(r"[.;:!?\n,()]|\b(but|however|although|though|except|yet|and now|now)\b", re.IGNORECASE)
_NEGATION_WINDOW_WORDS = 5

_COMPILED = {
    flag.code: (
        tuple(re.compile(pattern, re.IGNORECASE) for pattern in flag.patterns),
        tuple(re.compile(pattern, re.IGNORECASE) for pattern in flag.exclusions),
    )
    for flag in RED_FLAGS
}


@dataclass(frozen=True)
class TriageResult:
    flags: tuple[RedFlag, ...]

    @property
    def urgent(self) -> bool:
        return bool(self.flags)

    @property
    def emergency(self) -> bool:
        return any(flag.emergency for flag in self.flags)

    @property
    def codes(self) -> list[str]:
        return [flag.code for flag in self.flags]


def _clause_before(text: str, start: int) -> str:
    """The words of the same clause that come before position `start`."""
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


def _is_negated(text: str, start: int) -> bool:
    words = _clause_before(text, start).split()[-_NEGATION_WINDOW_WORDS:]
    return bool(_NEGATION.search(" ".join(words)))


def _normalise(text: str) -> str:
    """Spell out contractions so that "can't" and "don't" read as "cannot" and "do not"."""
    text = text.replace("\u2019", "'")
    text = re.sub(r"\bcan'?t\b", "cannot", text, flags=re.IGNORECASE)
    text = re.sub(r"\bwon'?t\b", "will not", text, flags=re.IGNORECASE)
    text = re.sub(r"n't\b", " not", text, flags=re.IGNORECASE)
    return text.replace("'", "")


def mentions(text: str, flag: RedFlag) -> bool:
    """Whether `text` reports `flag` (a mention negated in its clause does not count)."""
    patterns, exclusions = _COMPILED[flag.code]
    normalised = _normalise(text)
    for pattern in patterns:
        for match in pattern.finditer(normalised):
            clause = _clause_before(normalised, match.start())
            if _is_negated(normalised, match.start()):
                continue
            if any(exclusion.search(clause) for exclusion in exclusions):
                continue
            return True
    return False


def triage(*, symptoms: list[str] | tuple[str, ...], reason: str) -> TriageResult:
    """The red flags in a request: ticked on the checklist or described in the reason."""
    found: list[RedFlag] = []
    ticked = {SYMPTOMS_BY_CODE[code].red_flag for code in symptoms if code in SYMPTOMS_BY_CODE}
    for flag in RED_FLAGS:
        if flag.code in ticked or (reason and mentions(reason, flag)):
            found.append(flag)
    return TriageResult(flags=tuple(found))
