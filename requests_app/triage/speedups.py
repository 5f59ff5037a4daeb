"""A faster `RegexMatcher.__call__` for medspaCy 1.3.1, with the same results.

medspaCy's RegexMatcher reads `doc.text_with_ws` once per pattern, and spaCy
builds that string anew from every token on each read: with the clinic's
~170 target patterns and ~25 ConText triggers, that alone took about 25 ms
of a 500-character text. This version builds the text once per document,
skips a pattern whose required words are not in the text (see `prefilter`),
and aligns matches to tokens the way the original does (outward to the
nearest token boundaries). `tests/test_triage_engine.py` checks that both
give the same matches on the whole corpus.
"""

from __future__ import annotations

from medspacy.common.regex_matcher import RegexMatcher
from medspacy.common.util import get_token_for_char

from requests_app.triage.prefilter import may_match

_original_call = RegexMatcher.__call__


def fast_call(self: RegexMatcher, doc) -> list[tuple[int, int, int]]:
    matches: list[tuple[int, int, int]] = []
    text = doc.text_with_ws
    for match_id, patterns in self._patterns.items():
        on_match = self._callbacks[match_id]
        for pattern in patterns:
            if not may_match(pattern, text):
                continue
            for re_match in pattern.finditer(text):
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
