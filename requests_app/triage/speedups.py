"""A faster `RegexMatcher.__call__` for medspaCy 1.3.1, with the same results.

medspaCy's RegexMatcher reads `doc.text_with_ws` once per pattern, and spaCy
builds that string anew from every token on each read: with the clinic's
~170 target patterns and ~25 ConText triggers, that alone took about 25 ms
of a 500-character text. This version builds the text once per document,
skips a pattern whose required words are not in the text (see `prefilter`),
and aligns matches to tokens the way the original does (outward to the
nearest token boundaries). `tests/test_triage_engine.py` checks that both
give the same matches on the whole corpus.

The patterns, in medspaCy's order, their `prefilter.Gates` and their
start finders are worked out once per matcher (again if rules are added),
not on every call. A pattern that Python's engine would try at every
position of the text (no fixed first string or character) and whose
matches all begin with one of a few strings is tried only where one of
those begins (`_finditer`): the same matches at a fraction of the cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medspacy.common.regex_matcher import RegexMatcher
from medspacy.common.util import get_token_for_char

from requests_app.triage.prefilter import Gates, start_finder

_original_call = RegexMatcher.__call__


def _plan(matcher: RegexMatcher) -> tuple[list, Gates]:
    """(match id, callback, pattern) for every pattern in medspaCy's order, and their gates."""
    plan = matcher.__dict__.get("_triage_plan")
    if plan is None or plan[0] != len(matcher._patterns):
        entries = [
            (match_id, matcher._callbacks[match_id], pattern, start_finder(pattern))
            for match_id, patterns in matcher._patterns.items()
            for pattern in patterns
        ]
        plan = (len(matcher._patterns), entries, Gates([entry[2] for entry in entries]))
        matcher._triage_plan = plan
    return plan[1], plan[2]


def _finditer(pattern: re.Pattern, finder: re.Pattern, text: str) -> Iterator[re.Match]:
    """The matches `pattern.finditer(text)` gives, trying `pattern` only where `finder` finds a start of one.

    finditer tries the pattern at each position from the end of the last
    match on; where no start of a match begins, that try fails, so skipping
    it changes nothing. `pattern.match(text, position)` is the same try (its
    lookbehinds and \\b still see the text before the position), and every
    start is non-empty, so every match is too and the next try is at its end.
    """
    found = finder.search(text)
    while found is not None:
        position = found.start()
        match = pattern.match(text, position)
        if match is None:
            found = finder.search(text, position + 1)
        else:
            yield match
            found = finder.search(text, match.end())


def fast_call(self: RegexMatcher, doc) -> list[tuple[int, int, int]]:
    matches: list[tuple[int, int, int]] = []
    text = doc.text_with_ws
    entries, gates = _plan(self)
    for (match_id, on_match, pattern, finder), may in zip(entries, gates.passing(text), strict=True):
        if may:
            for re_match in pattern.finditer(text) if finder is None else _finditer(pattern, finder, text):
                span = doc.char_span(re_match.start(), re_match.end())
                if span is None:
                    start = get_token_for_char(doc, re_match.start(), resolve=self.resolve_start)
                    end = get_token_for_char(doc, re_match.end(), resolve=self.resolve_end)
                    span = doc[start.i : len(doc) if end is None else end.i]
                if len(span):
                    matches.append((match_id, span.start, span.end))
                if on_match is not None:
                    on_match(self, doc, len(matches) - 1, matches)
    return matches


def install() -> None:
    RegexMatcher.__call__ = fast_call


def original_call(matcher: RegexMatcher, doc) -> list[tuple[int, int, int]]:
    """medspaCy's own implementation, for the equivalence test."""
    return _original_call(matcher, doc)
