"""Reading a patient's own words for red flags: medspaCy's target matcher and ConText, loaded once per process.

The pipeline is spaCy's blank English tokenizer, a sentence splitter of the
clinic's own (a line break or . ! ? ; ends a sentence: patients write lists
and fragments, not prose), medspaCy's TargetMatcher with the rules in
`lexicon`, and medspaCy's ConText with the rules in `context`. Building it
takes about a second, so it is built once per process (`nlp()`), and the web
process builds it at start-up (see `clinic/wsgi.py`).
"""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from requests_app.triage import context as ctx
from requests_app.triage import lexicon
from requests_app.triage.spelling import correct

if TYPE_CHECKING:
    from spacy.tokens import Span

_SENTENCE_END = frozenset({".", "!", "?", ";", "..."})
_RESOLVED_NEXT = re.compile(ctx.RESOLVED_NEXT_SENTENCE, re.IGNORECASE)
_RECURRED = re.compile(ctx.RECURRED, re.IGNORECASE)
_ANSWERED_NO = re.compile(ctx.ANSWERED_NO_AFTER, re.IGNORECASE)
_TIME_BEFORE = re.compile(
    r"\b(?:yesterday|last night|(?:\w+ )?days? ago|this morning"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
_TIME_NOW = re.compile(r"\b(?:today|now|this (?:morning|afternoon|evening)|tonight)\b", re.IGNORECASE)
_ON_BEHALF = re.compile(ctx.ON_BEHALF, re.IGNORECASE)
_FOR_MYSELF = re.compile(ctx.FOR_MYSELF, re.IGNORECASE)
_GENERAL_QUESTION = re.compile(ctx.GENERAL_QUESTION, re.IGNORECASE)
_HYPOTHETICAL_QUESTION = re.compile(ctx.HYPOTHETICAL_QUESTION, re.IGNORECASE)
_DISCLAIMER = re.compile(ctx.DISCLAIMER, re.IGNORECASE)
_STRONG_DISCLAIMER = re.compile(ctx.STRONG_DISCLAIMER, re.IGNORECASE)
_OWN_COMPLAINT = re.compile(ctx.OWN_COMPLAINT, re.IGNORECASE)
_HEARSAY = re.compile(ctx.HEARSAY, re.IGNORECASE)
_FOR_SELF = re.compile(ctx.WRITER_SPEAKS_FOR_SELF, re.IGNORECASE)
_SOMEONE_ELSE = re.compile(r"\b(?:he|she|his|her|him|son|daughter|kid|child|boy|girl)\b", re.IGNORECASE)
_MY_RELATIVE = re.compile(
    r"\b(?:my|mi) (?:[\w'-]+ ){0,2}(?:son|daughter|kid|child|boy|girl|mum|mom|mother|dad|father|husband|wife|partner"
    r"|brother|sister|friend|teen\w*|hijo|hija|madre|padre|marido|esposa)\b",
    re.IGNORECASE,
)
_RELATIVE_SUBJECT = re.compile(ctx.RELATIVE_SUBJECT, re.IGNORECASE)
_WRITER_OWN = re.compile(ctx.WRITER_OWN, re.IGNORECASE)
_THIRD_PERSON = re.compile(ctx.THIRD_PERSON, re.IGNORECASE)
_SAYS_MY = re.compile(r"\b(?:my|mi)\s", re.IGNORECASE)
_WRITER_AS_SUBJECT = re.compile(r"\b(?:i|i'?ve|i'?m|im|ive|i'?d|yo)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|my|me|mine)\b", re.IGNORECASE)
_LEFT = re.compile(r"\b(?:left|l|lt|izquierd[oa])\b", re.IGNORECASE)
_RIGHT = re.compile(r"\b(?:right|r|rt|derech[oa])\b", re.IGNORECASE)
_PLURAL_LIMB = re.compile(lexicon.PLURAL_LIMB, re.IGNORECASE)
_ONE_OF = re.compile(r"\bone of (?:my|the|his|her) (?:legs|feet)\b", re.IGNORECASE)
_build_lock = threading.Lock()
# medspaCy's matcher wraps an empty spaCy Matcher (all the rules here are regular expressions).
warnings.filterwarnings("ignore", message=r"\[W036\]")


@dataclass(frozen=True)
class Finding:
    """One red flag in the text: which, and the patient's words that raised it (offsets in the original text)."""

    flag: str
    start: int
    end: int
    quote: str


def _clinic_sentences(doc):
    """A sentence ends at . ! ? ; or a line break: patients write lists and fragments."""
    for index, token in enumerate(doc):
        if index == 0:
            token.is_sent_start = True
            continue
        previous = doc[index - 1]
        token.is_sent_start = previous.text in _SENTENCE_END or "\n" in previous.text or previous.text.endswith("..")
    return doc


@lru_cache(maxsize=1)
def nlp():
    """The triage pipeline (built once per process; thread-safe)."""
    with _build_lock:
        return _build()


def _build():
    import medspacy  # noqa: F401 (registers the medspaCy components with spaCy)
    import spacy
    from medspacy.context import ConText, ConTextRule
    from medspacy.target_matcher import TargetMatcher, TargetRule
    from spacy.language import Language

    from requests_app.triage import speedups

    speedups.install()
    if "clinic_sentences" not in Language.factories:
        Language.component("clinic_sentences")(_clinic_sentences)
    pipeline = spacy.blank("en")
    pipeline.add_pipe("clinic_sentences")
    # spaCy's stubs say add_pipe returns a Callable[[Doc], Doc]: it is the component its factory made.
    matcher = cast(
        TargetMatcher, pipeline.add_pipe("medspacy_target_matcher", config={"result_type": "group", "prune": False})
    )
    matcher.add(
        [
            TargetRule(literal=f"{label} {index}", category=label, pattern=_lowercase_only(pattern))
            for label, patterns in lexicon.TARGETS.items()
            for index, pattern in enumerate(patterns)
        ]
    )
    context = cast(
        ConText,
        pipeline.add_pipe("medspacy_context", config={"rules": None, "input_span_type": "group", "span_attrs": None}),
    )
    context.add(
        [
            ConTextRule(
                literal=rule.literal,
                category=rule.category,
                pattern=_lowercase_only(rule.pattern),
                direction=rule.direction,
                max_scope=rule.max_scope,
                allowed_types=set(rule.allowed_types) if rule.allowed_types else None,
                excluded_types=set(rule.excluded_types) if rule.excluded_types else None,
                terminated_by=set(rule.terminated_by) if rule.terminated_by else None,
            )
            for rule in ctx.RULES
        ]
    )
    return pipeline


def _lowercase_only(pattern: str) -> str:
    """Match a lowercased text case-sensitively (medspaCy compiles with IGNORECASE, which is ~3x slower)."""
    return f"(?-i:{pattern})"


def lowercase(text: str) -> str:
    """`text` in lower case, character for character (so offsets stay the same)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _dismissed(span, *, booked_for: str | None) -> bool:
    for modifier in span._.modifiers:
        category = modifier.category
        start, end = modifier.modifier_span
        if span.start <= start and end <= span.end:
            # A trigger inside the matched words is part of the symptom ("I stand there and nothing
            # happens", "a sock that isn't there"); medspaCy's overlap test misses a trigger inside a target.
            continue
        if category == ctx.OTHER and booked_for:
            # Writing for someone else: "she" and "my son" are the patient, "his brother" is not.
            trigger = span.doc[start:end].text
            if re.search(rf"\b(?:he|she|they|his|her|their|{booked_for})\b", trigger):
                continue
        if category in ctx.DISMISSING:
            return True
    return False


def _resolved_by_next_sentence(span, sentences: list, index: int) -> bool:
    if span.label_ == "CANCER_HISTORY" or index + 1 >= len(sentences):
        return False
    following = sentences[index + 1]
    if not _RESOLVED_NEXT.search(following.text):
        return False
    nearby = sentences[index].text + " " + following.text
    return not _RECURRED.search(nearby)


def _resolution_undone(span, sentence_text: str) -> bool:
    """A resolved mention, or a feared cancer, that its sentence says came back counts ("worried it's cancer again")."""
    undoable = {ctx.RESOLVED, ctx.HYPOTHETICAL} if span.label_ == "CANCER_HISTORY" else {ctx.RESOLVED}
    return any(m.category in undoable for m in span._.modifiers) and bool(_RECURRED.search(sentence_text))


def _general_question(span, sentence, text: str) -> bool:
    """ "Would leg weakness mean something serious? Mine is just stiff.": a question, not a symptom.

    A question with no word of the writer's before the mention, in a text that
    says the writer does not have it; or any question, in a text that says
    plainly that none of it applies ("I haven't got any of that").
    """
    if _STRONG_DISCLAIMER.search(text) and (sentence.text.rstrip().endswith("?") or _HEARSAY.search(sentence.text)):
        return True
    if not sentence.text.rstrip().endswith("?"):
        return False
    if _HYPOTHETICAL_QUESTION.search(sentence.text) and _DISCLAIMER.search(text):
        return True
    if not _GENERAL_QUESTION.search(sentence.text):
        return False
    before = span.doc[sentence.start : span.start].text
    return not _FIRST_PERSON.search(before) and bool(_DISCLAIMER.search(text))


def _booked_for(text: str) -> str | None:
    """Who the text is about when the writer books for someone else ("for my son", "My wife can't walk")."""
    if _FOR_MYSELF.search(text):
        return None
    behalf = _ON_BEHALF.search(text)
    if behalf:
        return next(w for w in behalf.group("who", "who2") if w)
    subject = _RELATIVE_SUBJECT.search(text)
    if subject is None or _OWN_COMPLAINT.search(text) or _FOR_SELF.search(text):
        return None
    # "Mum can't walk" with no "my": only in a text where the writer says nothing of themselves.
    bare = not _SAYS_MY.search(subject.group())
    if bare and (_WRITER_AS_SUBJECT.search(text) or _FIRST_PERSON.search(text)):
        return None
    # "I had a limp... I needed my dad's cane": the writer is the patient. "My wife couldn't get up, I had
    # to help her": the relative is.
    if _WRITER_AS_SUBJECT.search(text) and not _THIRD_PERSON.search(text):
        return None
    return subject.group("who")


def _about_someone_else(span, sentence) -> bool:
    """Booking for myself: "(My son is the one with pins and needles in his feet.)" is not about the patient."""
    before = _MY_RELATIVE.sub(" ", span.doc.text[sentence.start_char : span.start_char])
    return bool(_SOMEONE_ELSE.search(sentence.text)) and not _FIRST_PERSON.search(before)


def _the_writers_own(span, sentence) -> bool:
    """In a text written for someone else, "I've had sciatica myself" is not the patient's."""
    window = span.doc.text[sentence.start_char : span.end_char + 15]
    return bool(_WRITER_OWN.search(window)) and not _THIRD_PERSON.search(window)


def read(text: str) -> list[Finding]:
    """The red flags the patient describes in `text`, each with the words that raised it."""
    if not text or not text.strip():
        return []
    corrected = correct(text.replace("\u2019", "'").replace("\u2018", "'"))
    pipeline = nlp()
    doc = pipeline.make_doc(lowercase(corrected.text))
    for name, component in pipeline.pipeline:
        # ConText only has work where the matcher found something (most routine texts: nothing).
        if name == "medspacy_context" and not doc.spans.get("medspacy_spans"):
            return []
        doc = component(doc)
    lowered = lowercase(corrected.text)
    who = _booked_for(lowered)
    booked_for = re.escape(who) if who else None
    for_myself = bool(_FOR_MYSELF.search(lowered))
    sentences = list(doc.sents)
    sentence_of = {}
    for index, sentence in enumerate(sentences):
        for token in sentence:
            sentence_of[token.i] = index

    spans = list(doc.spans.get("medspacy_spans", []))
    dismissed = set()
    resolved_in_sentence = set()
    for position, span in enumerate(spans):
        index = sentence_of[span.start]
        sentence_text = sentences[index].text
        if _dismissed(span, booked_for=booked_for) and not _resolution_undone(span, sentence_text):
            dismissed.add(position)
            if any(m.category == ctx.RESOLVED for m in span._.modifiers):
                resolved_in_sentence.add((span.label_, index))
        elif (
            _ANSWERED_NO.match(corrected.text[span.end_char : span.end_char + 40])
            or _resolved_by_next_sentence(span, sentences, index)
            or (span.label_ not in lexicon.MARKERS and _general_question(span, sentences[index], lowered))
            or (booked_for is not None and _the_writers_own(span, sentences[index]))
            or (for_myself and _about_someone_else(span, sentences[index]))
        ):
            dismissed.add(position)
    # A symptom inside words that were answered "no" or negated is answered too ("Numbness in groin: no").
    answered = {
        position
        for position in dismissed
        if _ANSWERED_NO.match(corrected.text[spans[position].end_char : spans[position].end_char + 40])
        or any(m.category == ctx.NEGATED for m in spans[position]._.modifiers)
    }
    kept = []
    for position, span in enumerate(spans):
        index = sentence_of[span.start]
        if position in dismissed or (span.label_, index) in resolved_in_sentence:
            continue
        if any(
            spans[other].start <= span.start and span.end <= spans[other].end and other != position
            for other in answered
        ):
            continue
        # A greedy match can swallow the words that dismiss it ("if the pain starts going down my
        # leg"): when a shorter match of the same flag inside it is dismissed, so is it.
        if any(
            other in dismissed
            and spans[other].label_ == span.label_
            and span.start <= spans[other].start
            and spans[other].end <= span.end
            for other in range(len(spans))
        ):
            continue
        kept.append((span, index))

    def finding(flag: str, spans) -> Finding:
        start = min(s.start_char for s in spans)
        end = max(s.end_char for s in spans)
        original_start, original_end = corrected.original_span(start, end)
        return Finding(flag=flag, start=original_start, end=original_end, quote=text[original_start:original_end])

    findings: list[Finding] = []
    markers: dict[str, list[tuple[Span, int]]] = {"BILATERAL": [], "WORSENING": []}
    for span, index in kept:
        if span.label_ in lexicon.MARKERS:
            markers[span.label_].append((span, index))
        else:
            findings.append(finding(lexicon.LABEL_TO_FLAG[span.label_], [span]))

    # One leg finding on the left and another on the right: both legs.
    sides: dict[str, list[Span]] = {"left": [], "right": []}
    for span, index in kept:
        if span.label_ in lexicon.LEG_LABELS:
            context = span.text + " " + sentences[index].text
            if _LEFT.search(context) and not _RIGHT.search(context):
                sides["left"].append(span)
            elif _RIGHT.search(context) and not _LEFT.search(context):
                sides["right"].append(span)
    if sides["left"] and sides["right"]:
        findings.append(finding("bilateral_legs", [sides["left"][0], sides["right"][0]]))

    for span, index in kept:
        if span.label_ not in lexicon.LEG_LABELS:
            continue
        both = [m for m, i in markers["BILATERAL"] if abs(i - index) <= 1]
        plural = _PLURAL_LIMB.search(span.text) and not _ONE_OF.search(span.text)
        if both or plural:
            findings.append(finding("bilateral_legs", [span, *both]))
        if span.label_ in lexicon.WEAKNESS_LABELS:
            worse = [m for m, i in markers["WORSENING"] if abs(i - index) <= 2]
            if worse:
                findings.append(finding("progressive_weakness", [span, *worse]))
    # A weak leg told as a story over days ("Saturday it slapped... Sunday I couldn't push off... today I
    # can't stand on my toes"): weakness in three sentences, or in two with a then and a now.
    weak_sentences = sorted({i for span, i in kept if span.label_ in lexicon.WEAKNESS_LABELS})
    if len(weak_sentences) >= 3 or (
        len(weak_sentences) == 2 and _TIME_BEFORE.search(lowered) and _TIME_NOW.search(lowered)
    ):
        weak = [span for span, i in kept if span.label_ in lexicon.WEAKNESS_LABELS]
        findings.append(finding("progressive_weakness", [weak[0], weak[-1]]))
    return _without_contained(findings)


# A finding inside a more serious one's words adds nothing ("numbness" inside "numbness in my groin").
_SUBSUMED_BY = {
    "leg_numbness": ("saddle_numbness", "bladder_bowel", "bilateral_legs"),
    "minor_trauma": ("major_trauma",),
    "leg_weakness": ("progressive_weakness", "bilateral_legs"),
    "radiating_leg_pain": ("bilateral_legs",),
}


def _without_contained(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for found in findings:
        bigger = _SUBSUMED_BY.get(found.flag, ())
        if any(o.flag in bigger and o.start <= found.start and found.end <= o.end for o in findings):
            continue
        if any(o.flag == found.flag and (o.start, o.end) == (found.start, found.end) for o in kept):
            continue
        kept.append(found)
    return kept
