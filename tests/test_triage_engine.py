"""The text engine's speed-ups change nothing, and its spelling fixes touch only key words."""

import re

import pytest

from requests_app.triage import engine, prefilter, speedups
from requests_app.triage.spelling import correct, correction
from tests.triage.evaluation import load


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [engine.lowercase(case.text) for case in load()]


def _matchers(pipeline):
    """The RegexMatcher of each medspaCy component (the target matcher's and ConText's)."""
    found = []
    for _, component in pipeline.pipeline:
        for value in vars(component).values():
            inner = getattr(value, "_MedspacyMatcher__regex_matcher", None)
            if inner is not None:
                found.append(inner)
    return found


def test_the_prefiltered_matcher_finds_exactly_what_medspacys_own_finds_on_the_whole_corpus(texts):
    pipeline = engine.nlp()
    matchers = _matchers(pipeline)
    assert len(matchers) == 2
    for text in texts:
        doc = pipeline.make_doc(text)
        for matcher in matchers:
            assert speedups.fast_call(matcher, doc) == speedups.original_call(matcher, doc), text[:80]


def _context_result(doc) -> list:
    graph = doc._.context_graph
    modifiers = [(m.category, m.modifier_span, m.scope_span, m.rule.literal) for m in graph.modifiers]
    edges = [(target.start, target.end, target.label_, graph.modifiers.index(m)) for target, m in graph.edges]
    targets = doc.spans["medspacy_spans"]
    per_target = [[(m.category, m.modifier_span, m.scope_span) for m in target._.modifiers] for target in targets]
    return [modifiers, edges, per_target]


def test_the_faster_context_gives_the_same_modifiers_scopes_and_edges_on_the_whole_corpus(texts):
    pipeline = engine.nlp()
    context = pipeline.get_pipe("medspacy_context")
    compared = 0
    for text in texts:
        docs = []
        for call in (speedups.context_call, speedups.original_context_call):
            doc = pipeline.make_doc(text)
            for name, component in pipeline.pipeline:
                if name != "medspacy_context":
                    doc = component(doc)
            docs.append(call(context, doc))
        if docs[0].spans["medspacy_spans"]:
            compared += 1
        assert _context_result(docs[0]) == _context_result(docs[1]), text[:80]
    assert compared > 1000


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (r"fe+ve+r", "a feeeever", True),
        (r"fe+ve+r", "a fewer", False),
        (r"(?:pins|needles) and", "pins and", True),
        (r"numb(?:ness)?|tingl\w*", "tingly", True),
        (r"(?:can'?t|cannot) (?:walk|stand)", "i cannot stand", True),
        (r"(?:a|b)?cd", "xcd", True),
        (r"x(?=y)z?", "xz", False),
    ],
)
def test_the_prefilter_never_rules_out_a_text_the_pattern_matches(pattern, text, matches):
    compiled = re.compile(f"(?-i:{pattern})", re.IGNORECASE)
    assert bool(compiled.search(text)) is matches
    if matches:
        assert prefilter.may_match(compiled, text)


def test_the_prefilter_skips_a_pattern_whose_words_are_absent():
    compiled = re.compile("(?-i:(?:urinary )?retention|retain\\w* (?:urine|water))", re.IGNORECASE)
    assert prefilter.required_literals(compiled.pattern, re.IGNORECASE) == frozenset({"retention", "retain"})
    assert not prefilter.may_match(compiled, "sore after long runs")


def test_the_one_pass_gates_say_what_may_match_says_for_every_pattern_on_the_whole_corpus(texts):
    for matcher in _matchers(engine.nlp()):
        patterns = [pattern for patterns in matcher._patterns.values() for pattern in patterns]
        gates = prefilter.Gates(patterns)
        for text in texts:
            assert gates.passing(text) == [prefilter.may_match(pattern, text) for pattern in patterns], text[:80]


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (r"\b(?:my |our )?friend", {"my friend", "our friend", "friend"}),
        (r"\bif (?:i|it)(?= \w+)", {"if i", "if it"}),
        (r"(?<!un)\bintentional", {"intentional"}),
        (r"(?:numbness|tingling) in (?:my|the) foot", {"numbness in ", "tingling in "}),  # cut at 12 characters
        (r"[ls][1-5]", {f"{a}{b}" for a in "ls" for b in "12345"}),
        (r"(?:numb\w*|tingl\w*) (?:in|on)", {"numb", "tingl"}),
        (r"fe+ver", {"fe"}),
        (r"(?:but|and)\s+gone|gone", {"but", "and", "gone"}),
        (r"\d+ kg", None),
        (r"(?:\w+ )?numb", None),
        (r"(?i:numb)", None),
        (r"x?", None),
    ],
)
def test_match_starts_names_strings_one_of_which_begins_every_match(pattern, starts):
    assert prefilter.match_starts(f"(?-i:{pattern})", re.IGNORECASE) == (None if starts is None else frozenset(starts))


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"aba", "ababa abab"),
        (r"(?<!un)\bintentional(?:ly)?", "unintentional, intentionally, xintentional intentional"),
        (r"\b(?:i|i'm|me)\b", "i'm me i mine im i"),
        (r"(?:no|not)\b[^.]{0,10}(?:numb|tingl\w*)", "no numb. not tingling not no numb"),
        (r"(?:gone|go)(?= now|$)", "gone now go now gone"),
    ],
)
def test_trying_a_pattern_only_where_a_match_can_start_finds_what_finditer_finds(pattern, text):
    compiled = re.compile(f"(?-i:{pattern})", re.IGNORECASE)
    gates = prefilter.Gates([compiled], [prefilter.match_starts(compiled.pattern, compiled.flags)])
    passing, starts = gates.scan(text)
    assert passing == [True]
    found = [match.span() for match in speedups._matches_at(compiled, text, starts[0])]
    assert found == [match.span() for match in compiled.finditer(text)]
    assert found


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("numbnes", "numbness"),
        ("nummness", "numbness"),
        ("tingleing", "tingling"),
        ("siatica", "sciatica"),
        ("sciattica", "sciatica"),
        ("feever", "fever"),
        ("blader", "bladder"),
        ("incontinance", "incontinence"),
        ("urinatin", "urinating"),
    ],
)
def test_misspelled_key_words_are_put_right(typed, meant):
    assert correction(typed) == meant


@pytest.mark.parametrize("word", ["fewer", "never", "number", "numbers", "walking", "bowl", "chilly", "later", "tired"])
def test_ordinary_words_close_to_a_key_word_are_left_alone(word):
    assert correction(word) is None


def test_a_correction_keeps_the_rest_of_the_text_and_maps_positions_back():
    text = "Some numbnes in my foot, and siatica."
    fixed = correct(text)
    assert fixed.text == "Some numbness in my foot, and sciatica."
    start = fixed.text.index("sciatica")
    assert fixed.original_span(start, start + len("sciatica")) == (29, 36)
    assert text[29:36] == "siatica"
