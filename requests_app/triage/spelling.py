"""Misspelled key words, put right before matching: "numbnes", "tingleing", "siatica", "blader".

Only the words the rules depend on are corrected, and only when the typed
word is one or two edits from one of them (a swap of two letters counts as one), starts with the same letter, and
is not itself a common word that happens to be close ("fewer" is not
"fever", "number" is not "numb"). Each word is looked up once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

KEY_WORDS: tuple[str, ...] = (
    "numb", "numbness", "numbing", "tingling", "tingle", "tingles", "tingly", "needles", "prickling",
    "sciatica", "sciatic", "bladder", "bowel", "bowels", "incontinence", "incontinent", "urinate", "urinating",
    "urination", "urine", "peeing", "weakness", "weakening", "fever", "feverish", "temperature", "chills",
    "shivering", "sweats", "cancer", "tumour", "tumor", "chemotherapy", "chemo", "radiotherapy", "lymphoma",
    "leukemia", "leukaemia", "myeloma", "melanoma", "metastasis", "weight", "kilos", "pounds", "groin",
    "buttock", "buttocks", "genitals", "thighs", "perineum", "shooting", "radiating", "travelling", "traveling",
    "spreading", "unbearable", "excruciating", "straighten", "straight", "ladder", "accident", "collision",
    "crashed", "slipped", "tripped", "stumbled", "retention", "dribbling", "control", "sensation", "feeling",
    "toilet", "paralysed", "paralyzed", "dragging", "slapping", "buckles", "buckling", "collapses", "stairs",
    "scaffolding", "motorcycle", "whiplash", "handlebars", "agony", "worsening", "progressively", "bilateral",
    "hormigueo", "adormecido", "entumecido", "dormido", "orinar", "fiebre", "escalofrios", "asleep", "sleeping",
    "weaker", "painkillers", "ibuprofen", "shoots", "electric", "pinched", "trapped",
)  # fmt: skip
_KEY_SET = frozenset(KEY_WORDS)

# Ordinary words a key word is one or two edits from: never "corrected".
PROTECTED: frozenset[str] = frozenset(
    [
        "walking",
        "walked",
        "walker",
        "talking",
        "stalking",
        "balking",
        "never",
        "fewer",
        "fewest",
        "number",
        "numbers",
        "lumber",
        "bowl",
        "bowls",
        "bowled",
        "bowler",
        "tangle",
        "tangled",
        "single",
        "shingle",
        "tingle",
        "wheat",
        "weigh",
        "weighs",
        "weighed",
        "eight",
        "height",
        "heights",
        "tumble",
        "tumbled",
        "tumbler",
        "chili",
        "chilly",
        "chill",
        "chilled",
        "thing",
        "things",
        "though",
        "thought",
        "through",
        "thigh",
        "these",
        "those",
        "straights",
        "strain",
        "strained",
        "strains",
        "sweat",
        "sweats",
        "sweaty",
        "sweater",
        "control",
        "controls",
        "contour",
        "feeding",
        "feelings",
        "feeling",
        "fueling",
        "fuelling",
        "feel",
        "feels",
        "felt",
        "cancel",
        "canceled",
        "cancelled",
        "cancels",
        "canter",
        "center",
        "centre",
        "toiler",
        "tailor",
        "tiles",
        "tired",
        "tried",
        "trapped",
        "tripped",
        "trapper",
        "slapped",
        "slipped",
        "slippers",
        "clipped",
        "shipped",
        "stopped",
        "stripped",
        "dripped",
        "tipped",
        "ripped",
        "dipped",
        "gripped",
        "skipped",
        "whipped",
        "bladed",
        "blades",
        "blazer",
        "ladders",
        "larder",
        "lauder",
        "leader",
        "loader",
        "latter",
        "letter",
        "ladies",
        "lather",
        "later",
        "crashes",
        "crashing",
        "crush",
        "crushed",
        "rushed",
        "brushed",
        "bushed",
        "accidents",
        "incident",
        "incidents",
        "collisions",
        "collusion",
        "collection",
        "shootings",
        "shopping",
        "shooing",
        "shouting",
        "spending",
        "sprinting",
        "spreading",
        "sweating",
        "sending",
        "tending",
        "trending",
        "grown",
        "groan",
        "grin",
        "groins",
        "groan",
        "grain",
        "train",
        "trains",
        "urge",
        "urged",
        "urgent",
        "urine",
        "urn",
        "sleepier",
        "sleeping",
        "steeping",
        "sweeping",
        "seeping",
        "keeping",
        "nights",
        "might",
        "night",
        "sight",
        "light",
        "fight",
        "right",
        "tight",
        "wakes",
        "makes",
        "takes",
        "lakes",
        "cakes",
        "bakes",
        "rakes",
        "shakes",
        "snakes",
        "wanes",
        "waking",
        "making",
        "taking",
        "baking",
        "asleep",
        "asleepy",
        "shoots",
        "shorts",
        "shots",
        "shouts",
        "shoot",
        "shook",
        "hooks",
        "electrics",
        "electronic",
        "elective",
        "eclectic",
        "pinches",
        "pinched",
        "pitched",
        "punched",
        "punches",
        "pounds",
        "pound",
        "bounds",
        "mounds",
        "rounds",
        "sounds",
        "wounds",
        "kilos",
        "kilo",
        "milos",
        "silos",
        "weighty",
        "weights",
        "eighty",
        "heavier",
        "bowling",
        "belts",
        "bells",
        "needless",
        "needle",
        "nettles",
        "needs",
        "neddles",
        "temperament",
        "tempera",
        "temperate",
        "tempo",
        "temporal",
        "temple",
        "agent",
        "agenda",
        "dormant",
        "dormitory",
        "chem",
        "chemistry",
        "mono",
        "moto",
        "motor",
        "motors",
        "stars",
        "stair",
        "stares",
        "stirs",
        "starts",
        "states",
    ]
)

_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")


@lru_cache(maxsize=8192)
def correction(word: str) -> str | None:
    """The key word `word` misspells, or None."""
    lower = word.lower()
    if len(lower) < 5 or lower in _KEY_SET or lower in PROTECTED:
        return None
    limit = 1 if len(lower) < 8 else 2
    found = extractOne(lower, KEY_WORDS, scorer=OSA.distance, score_cutoff=limit)
    if found is None:
        return None
    candidate, distance, _ = found
    if candidate[0] != lower[0] or abs(len(candidate) - len(lower)) > limit:
        return None
    # A one-letter slip in a short word must keep the word's length or add/drop a doubled letter.
    if len(lower) < 8 and distance == 1 and len(candidate) < 6 and len(candidate) == len(lower):
        return None
    return candidate


@dataclass(frozen=True)
class Corrected:
    """A text with its key words spelled right, and how to map positions back to the original."""

    text: str
    # (start in corrected text, start in original, length in corrected, length in original) per change.
    changes: tuple[tuple[int, int, int, int], ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for a span of the corrected text."""
        return self._to_original(start, is_end=False), self._to_original(end, is_end=True)

    def _to_original(self, position: int, *, is_end: bool) -> int:
        shift = 0
        for new_start, old_start, new_length, old_length in self.changes:
            if position < new_start or (position == new_start and not is_end):
                break
            if position < new_start + new_length or (is_end and position == new_start + new_length):
                # Inside a corrected word: snap to the original word's edge.
                return old_start + (old_length if is_end else 0)
            shift = (old_start + old_length) - (new_start + new_length)
        return position + shift


def correct(text: str) -> Corrected:
    """`text` with misspelled key words replaced (same case ignored); other characters untouched."""
    parts: list[str] = []
    changes: list[tuple[int, int, int, int]] = []
    last = 0
    new_length = 0
    for match in _WORD.finditer(text):
        fixed = correction(match.group())
        if fixed is None:
            continue
        between = text[last : match.start()]
        parts.append(between)
        new_length += len(between)
        changes.append((new_length, match.start(), len(fixed), match.end() - match.start()))
        parts.append(fixed)
        new_length += len(fixed)
        last = match.end()
    if not changes:
        return Corrected(text=text, changes=())
    parts.append(text[last:])
    return Corrected(text="".join(parts), changes=tuple(changes))
