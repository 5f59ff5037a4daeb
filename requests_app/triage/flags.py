"""The red flags a spine clinic screens for: their tier, why they matter, and what the desk asks first.

Each flag is written the way a clinician would explain it to the front desk.
A flag raises a request to its tier; nothing here ever lowers one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Tier(enum.IntEnum):
    """How soon the patient needs care. Higher is sooner; the queue sorts on it."""

    ROUTINE = 0
    URGENT = 1
    EMERGENCY = 2

    @property
    def code(self) -> str:
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Tier:
        return cls[code.upper()]


@dataclass(frozen=True)
class RedFlag:
    code: str
    label: str
    tier: Tier
    # Why it matters, for the person on the phone.
    reason: str
    # What to ask first, and when to send the patient to an emergency department.
    call_script: str


EMERGENCY_ADVICE = "If yes, tell them to go to the nearest emergency department now, and tell a supervisor."

RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        code="saddle_numbness",
        label="Numbness between the legs (saddle area)",
        tier=Tier.EMERGENCY,
        reason="Numbness around the genitals, bottom or inner thighs can mean the nerves at the base of the "
        "spine are being squeezed (cauda equina syndrome). Hours matter for bladder, bowel and leg function.",
        call_script="Ask: is the numbness between the legs or around the back passage new, and does wiping "
        "after the toilet feel different? " + EMERGENCY_ADVICE,
    ),
    RedFlag(
        code="bladder_bowel",
        label="New bladder or bowel trouble",
        tier=Tier.EMERGENCY,
        reason="New difficulty starting, stopping or feeling urination, being unable to pass urine, or new "
        "leaking from the bladder or bowel, together with back pain, is a sign of cauda equina syndrome.",
        call_script="Ask: since the back pain began, can they pass urine normally, do they feel when the bladder "
        "is full, and have they had any accidents? " + EMERGENCY_ADVICE,
    ),
    RedFlag(
        code="bilateral_legs",
        label="Symptoms in both legs",
        tier=Tier.EMERGENCY,
        reason="Weakness, numbness or nerve pain in both legs at once points to pressure on several nerve "
        "roots or the cauda equina, not to a single trapped nerve.",
        call_script="Ask: are both legs affected now, is either getting weaker, and is there any bladder, bowel "
        "or saddle numbness? " + EMERGENCY_ADVICE,
    ),
    RedFlag(
        code="progressive_weakness",
        label="Leg weakness that is getting worse quickly",
        tier=Tier.EMERGENCY,
        reason="A leg that grows weaker over hours or days means a nerve is losing function now; delay can make "
        "the loss permanent.",
        call_script="Ask: compared with yesterday, can they lift the foot, walk on the heels, climb a step? "
        + EMERGENCY_ADVICE,
    ),
    RedFlag(
        code="major_trauma",
        label="Back pain after a serious accident",
        tier=Tier.EMERGENCY,
        reason="After a car crash, being hit by a vehicle, a fall from a height or a fast crash, back pain may "
        "come from a fracture, which must be ruled out before anything else.",
        call_script="Ask: what happened, when, and were they checked at a hospital? If not checked, or if pain, "
        "numbness or weakness is new since, tell them to go to an emergency department now.",
    ),
    RedFlag(
        code="leg_numbness",
        label="Numbness or tingling in a leg or foot",
        tier=Tier.URGENT,
        reason="Numbness or pins and needles in a leg or foot suggests an irritated or compressed nerve root "
        "that should be examined soon.",
        call_script="Ask: which leg, where exactly, since when, and is it spreading? If both legs, the saddle "
        "area or the bladder are affected, it is an emergency.",
    ),
    RedFlag(
        code="leg_weakness",
        label="Weakness in a leg, or a foot that drags or gives way",
        tier=Tier.URGENT,
        reason="A weak leg, a foot that slaps or catches, or a knee that buckles means a nerve may be losing "
        "function; early assessment gives the best chance of recovery.",
        call_script="Ask: can they walk on their heels and toes, and is it getting worse? If it is worsening "
        "by the day or in both legs, it is an emergency.",
    ),
    RedFlag(
        code="radiating_leg_pain",
        label="Pain shooting down a leg",
        tier=Tier.URGENT,
        reason="Pain that travels below the knee (sciatica) points to a nerve root; it is best assessed early, "
        "before it limits walking.",
        call_script="Ask: how far down the leg, one leg or both, and any numbness or weakness with it? Both legs "
        "or bladder changes make it an emergency.",
    ),
    RedFlag(
        code="fever",
        label="Fever, chills or night sweats",
        tier=Tier.URGENT,
        reason="Back pain with a fever, chills or night sweats can be an infection in or near the spine, which "
        "needs prompt medical assessment.",
        call_script="Ask: what temperature, for how long, any recent infection, surgery, injections or drug use? "
        "If they feel very unwell, tell them to seek urgent medical care today.",
    ),
    RedFlag(
        code="cancer_history",
        label="A history of cancer",
        tier=Tier.URGENT,
        reason="New back pain in someone who has had cancer needs checking for spread to the spine, even when "
        "the cancer was treated years ago.",
        call_script="Ask: what cancer, when, and is the back pain new, constant or worse at night? Book the "
        "earliest appointment.",
    ),
    RedFlag(
        code="weight_loss",
        label="Weight loss they cannot explain",
        tier=Tier.URGENT,
        reason="Losing weight without trying, with back pain, can be a sign of an illness elsewhere in the body "
        "that reaches the spine.",
        call_script="Ask: how much weight over how long, and were they trying? Book the earliest appointment.",
    ),
    RedFlag(
        code="night_pain",
        label="Pain at night or at rest that nothing eases",
        tier=Tier.URGENT,
        reason="Mechanical back pain eases with rest; pain that wakes the patient or stays when they lie still "
        "is not the usual pattern of a running strain.",
        call_script="Ask: does any position ease it, does it wake them, and any fever, weight loss or cancer "
        "history? Book the earliest appointment.",
    ),
    RedFlag(
        code="severe_pain",
        label="Cannot walk or stand straight, or pain near the worst possible",
        tier=Tier.URGENT,
        reason="Pain that stops a person walking or standing upright, or that they score 8 or more out of 10, "
        "needs to be seen soon and may need pain relief today.",
        call_script="Ask: can they walk at all, and any numbness, weakness or bladder change? If they cannot "
        "walk at all or have those, it is an emergency.",
    ),
    RedFlag(
        code="minor_trauma",
        label="Pain after a fall or knock",
        tier=Tier.URGENT,
        reason="Even a minor fall can crack a vertebra, especially with thin bones; pain after a fall should be "
        "examined before running again.",
        call_script="Ask: how did they fall, and is there pain when pressing on the spine, numbness or weakness? "
        "If the fall was from a height or at speed, it is an emergency.",
    ),
)
RED_FLAGS_BY_CODE: dict[str, RedFlag] = {flag.code: flag for flag in RED_FLAGS}

# Flags from before the three tiers (stored on older requests), shown as what they became.
LEGACY_CODES: dict[str, str] = {
    "after_trauma": "minor_trauma",
    "fever_weight_loss": "fever",
    "severe_or_night_pain": "severe_pain",
}


def flag_for(code: str) -> RedFlag | None:
    """The flag for a stored code, including codes stored before the three tiers."""
    return RED_FLAGS_BY_CODE.get(LEGACY_CODES.get(code, code))
