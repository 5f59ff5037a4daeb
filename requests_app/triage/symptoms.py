"""Where it hurts: the form's ordinary symptom checklist.

Red flags are asked as screening questions now. The API still accepts the
red-flag codes of the checklist it used to have, each read as a "yes".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Symptom:
    code: str
    label: str
    red_flag: str | None = None


SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("lower_back_pain", "Lower back pain"),
    Symptom("upper_back_pain", "Upper or middle back pain"),
    Symptom("stiffness", "Stiffness after running or in the morning"),
    Symptom("hip_buttock_pain", "Pain in the hip or buttock"),
)
# Red-flag boxes of the earlier checklist, still accepted by the API.
LEGACY_RED_FLAG_SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("radiating_leg_pain", "Pain shooting down a leg", red_flag="radiating_leg_pain"),
    Symptom("leg_numbness", "Numbness or tingling in a leg or foot", red_flag="leg_numbness"),
    Symptom("leg_weakness", "Weakness in a leg, or a foot that drags", red_flag="leg_weakness"),
    Symptom("saddle_numbness", "Numbness in the groin, buttocks or inner thighs", red_flag="saddle_numbness"),
    Symptom("bladder_bowel", "New trouble controlling your bladder or bowels", red_flag="bladder_bowel"),
    Symptom("after_trauma", "The pain started after a fall or accident", red_flag="minor_trauma"),
    Symptom("fever_weight_loss", "Fever, or weight loss you cannot explain", red_flag="fever"),
    Symptom("cancer_history", "You have had cancer", red_flag="cancer_history"),
    Symptom(
        "severe_or_night_pain",
        "Severe pain that stops you standing straight, or is worse at night",
        red_flag="severe_pain",
    ),
)
SYMPTOMS_BY_CODE: dict[str, Symptom] = {s.code: s for s in (*SYMPTOMS, *LEGACY_RED_FLAG_SYMPTOMS)}
SYMPTOM_CHOICES = [(symptom.code, symptom.label) for symptom in SYMPTOMS]
