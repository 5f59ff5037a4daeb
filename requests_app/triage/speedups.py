"""Faster `RegexMatcher.__call__` and `ConText.__call__` for medspaCy 1.3.1, with the same results.

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
not on every call. A pattern whose matches all begin with one of a few
strings is tried only where one of those begins (`_matches_at`; the
gates' pass over the text finds those places too), not at every position
of the text: the same matches at a fraction of the cost.

ConText (`context_call`) makes the same modifiers with the same scopes and
the same edges as medspaCy's, in the same order: it finds each modifier's
sentence from one pass over the sentences instead of a walk per modifier,
and it tries to limit one modifier's scope by another only for the pairs of
rules where medspaCy's `limit_scope` could (the rest of that test depends
on the rules alone). `tests/test_triage_engine.py` compares both on the
whole corpus.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from medspacy.common.regex_matcher import RegexMatcher
from medspacy.common.util import get_token_for_char
from medspacy.context import ConText
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier

from requests_app.triage.prefilter import Gates, match_starts

_original_call = RegexMatcher.__call__
_original_context_call = ConText.__call__

_TEXT = "triage_text"


def doc_text(doc) -> str:
    """`doc.text`, built once per document: spaCy builds it anew from every token on each read.

    Kept in `doc.user_data` with the number of tokens it was built from; the
    triage pipeline never changes a document's tokens after making it.
    """
    kept = doc.user_data.get(_TEXT)
    if kept is not None and kept[0] == len(doc):
        return kept[1]
    text = doc.text
    doc.user_data[_TEXT] = (len(doc), text)
    return text


def _token_starts(doc) -> list[int]:
    """Each token's first character, once per document (kept like `doc_text`)."""
    kept = doc.user_data.get(_STARTS)
    if kept is not None and kept[0] == len(doc):
        return kept[1]
    starts = [token.idx for token in doc]
    doc.user_data[_STARTS] = (len(doc), starts)
    return starts


_STARTS = "triage_token_starts"


def _token_for_char(doc, char_idx: int, resolve: str) -> int | None:
    """The index of the token medspaCy's `get_token_for_char` returns (None where it returns None)."""
    if char_idx < 0 or char_idx > len(doc_text(doc)) or resolve not in ("left", "right"):
        # Its errors, raised by itself.
        token = get_token_for_char(doc, char_idx, resolve=resolve)
        return None if token is None else token.i
    starts = _token_starts(doc)
    index = bisect_left(starts, char_idx)
    if index < len(starts):
        if starts[index] == char_idx or resolve == "right":
            return index
        # Left of a token that starts after the character: the token before it (doc[i - 1], as medspaCy does).
        return index - 1 if index else len(starts) - 1
    # Past the last token's start: the last token to the left, the end of the document to the right.
    return len(starts) - 1 if resolve == "left" else None


def _plan(matcher: RegexMatcher) -> tuple[list, Gates]:
    """(match id, callback, pattern) for every pattern in medspaCy's order, and their gates."""
    plan = matcher.__dict__.get("_triage_plan")
    if plan is None or plan[0] != len(matcher._patterns):
        entries = [
            (match_id, matcher._callbacks[match_id], pattern, match_starts(pattern.pattern, pattern.flags))
            for match_id, patterns in matcher._patterns.items()
            for pattern in patterns
        ]
        plan = (
            len(matcher._patterns),
            [(match_id, on_match, pattern, starts is not None) for match_id, on_match, pattern, starts in entries],
            Gates([entry[2] for entry in entries], [entry[3] for entry in entries]),
        )
        matcher._triage_plan = plan
    return plan[1], plan[2]


def _matches_at(pattern: re.Pattern, text: str, positions: Sequence[int]) -> Iterator[re.Match]:
    """The matches `pattern.finditer(text)` gives, when `positions` holds every position where one can begin.

    finditer tries the pattern at each position from the end of the last
    match on; where no match can begin, that try fails, so skipping it
    changes nothing. `pattern.match(text, position)` is the same try (its
    lookbehinds and \\b still see the text before the position). A match
    begins with a non-empty start, so it is never empty, and the next try
    is at its end or after.
    """
    end = 0
    for position in positions:
        if position >= end:
            match = pattern.match(text, position)
            if match is not None:
                yield match
                end = match.end()


def fast_call(self: RegexMatcher, doc) -> list[tuple[int, int, int]]:
    matches: list[tuple[int, int, int]] = []
    text = doc_text(doc)
    entries, gates = _plan(self)
    passing, starts = gates.scan(text)
    for index, (match_id, on_match, pattern, by_starts) in enumerate(entries):
        if passing[index]:
            found = _matches_at(pattern, text, starts.get(index, ())) if by_starts else pattern.finditer(text)
            for re_match in found:
                span = doc.char_span(re_match.start(), re_match.end())
                if span is None:
                    start = _token_for_char(doc, re_match.start(), self.resolve_start)
                    end = _token_for_char(doc, re_match.end(), self.resolve_end)
                    if start is None:
                        # medspaCy fails here (None has no .i): so does this.
                        raise AttributeError("'NoneType' object has no attribute 'i'")
                    span = doc[start : len(doc) if end is None else end]
                if len(span):
                    matches.append((match_id, span.start, span.end))
                if on_match is not None:
                    on_match(self, doc, len(matches) - 1, matches)
    return matches


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """medspaCy's `tuple_overlaps((a_start, a_end), (b_start, b_end))` (not symmetric: a inside b is False)."""
    return a_start <= b_start < a_end or a_start < b_end <= a_end


def _may_limit(rule, other) -> bool:
    """The part of `ConTextModifier.limit_scope(self, other)` that depends on the two rules only."""
    if rule.direction.upper() == "TERMINATE":
        return False
    if (
        other.direction.upper() != "TERMINATE"
        and other.category.upper() not in rule.terminated_by
        and other.category.upper() != rule.category.upper()
    ):
        return False
    return not (
        rule.category == other.category
        and (rule.allowed_types != other.allowed_types or rule.excluded_types != other.excluded_types)
    )


def _context_plan(context: ConText) -> tuple[dict, dict]:
    """Per match id its rule, and per pair of rules whether the first's scope may be limited by the second."""
    rule_map = context._ConText__matcher.rule_map
    plan = context.__dict__.get("_triage_plan")
    if plan is None or plan[0] != len(rule_map):
        strings = context.nlp.vocab.strings
        by_id = {strings[rule_id]: rule for rule_id, rule in rule_map.items()}
        rules = list(rule_map.values())
        may_limit = {(id(rule), id(other)): _may_limit(rule, other) for rule in rules for other in rules}
        plan = (len(rule_map), by_id, may_limit)
        context._triage_plan = plan
    return plan[1], plan[2]


def _scope(rule, start: int, end: int, sentence: tuple[int, int]) -> tuple[int, int]:
    """`ConTextModifier.__set_scope` without a global max_scope: the sentence in the rule's direction, cut short."""
    sentence_start, sentence_end = sentence
    direction = rule.direction.lower()
    max_scope = rule.max_scope
    if direction == "forward":
        scope_start, scope_end = end, sentence_end
        if max_scope is not None and (scope_end - scope_start) > max_scope:
            scope_end = end + max_scope
    elif direction == "backward":
        scope_start, scope_end = sentence_start, start
        if max_scope is not None and (scope_end - scope_start) > max_scope:
            scope_start = start - max_scope
    else:
        scope_start, scope_end = sentence_start, sentence_end
        if max_scope is not None and (start - scope_start) > max_scope:
            scope_start = start - max_scope
        if max_scope is not None and (scope_end - end) > max_scope:
            scope_end = end + max_scope
    return scope_start, scope_end


def _update_scopes(modifiers: list[ConTextModifier], may_limit: dict) -> None:
    """`ConTextGraph.update_scopes`: the same pairs in the same order, skipping those whose rules cannot limit."""
    for i in range(len(modifiers) - 1):
        first = modifiers[i]
        for j in range(i + 1, len(modifiers)):
            second = modifiers[j]
            if may_limit[id(first._context_rule), id(second._context_rule)]:
                _limit_scope(first, second)
            if may_limit[id(second._context_rule), id(first._context_rule)]:
                _limit_scope(second, first)


def _limit_scope(modifier: ConTextModifier, other: ConTextModifier) -> None:
    """The rest of `modifier.limit_scope(other)`, once its rules allow it."""
    if not _overlaps(modifier._scope_start, modifier._scope_end, other._scope_start, other._scope_end):
        return
    direction = modifier._context_rule.direction.lower()
    if direction in ("forward", "bidirectional") and other._start > modifier._start:
        modifier._scope_end = min(modifier._scope_end, other._start)
    if direction in ("backward", "bidirectional") and other._end < modifier._end:
        modifier._scope_start = max(modifier._scope_start, other._end)


def _modifies(modifier: ConTextModifier, target, target_start: int, target_end: int, label: str) -> bool:
    """`modifier.modifies(target)`."""
    if _overlaps(modifier._start, modifier._end, target_start, target_end):
        return False
    rule = modifier._context_rule
    if rule.direction in ("TERMINATE", "PSEUDO"):
        return False
    if rule.allowed_types is not None:
        if label not in rule.allowed_types:
            return False
    elif rule.excluded_types is not None and label in rule.excluded_types:
        return False
    if _overlaps(modifier._scope_start, modifier._scope_end, target_start, target_end):
        return modifier.on_modifies(target)
    return False


def context_call(self: ConText, doc, targets: str | None = None):
    """`ConText.__call__`, for the pipeline's settings (span group in, no attributes, no global max_scope)."""
    if (
        targets
        or self.input_span_type != "group"
        or self.context_attributes_mapping
        or self.max_scope is not None
        or self.prune_on_target_overlap
    ):
        return _original_context_call(self, doc, targets)
    by_id, may_limit = _context_plan(self)
    target_spans = doc.spans[self.span_group_name]
    context_graph = ConTextGraph(prune_on_modifier_overlap=self.prune_on_target_overlap)
    context_graph.targets = target_spans
    context_graph.modifiers = []
    matches = self._ConText__matcher(doc)
    if matches:
        sentence_of = {}
        for sentence in doc.sents:
            bounds = (sentence.start, sentence.end)
            for index in range(sentence.start, sentence.end):
                sentence_of[index] = bounds
        for match_id, start, end in matches:
            rule = by_id[match_id]
            scope_start, scope_end = _scope(rule, start, end, sentence_of[start])
            context_graph.modifiers.append(
                ConTextModifier(rule, start, end, doc, scope_start, scope_end, max_scope=self.max_scope)
            )
    modifiers = context_graph.modifiers
    _update_scopes(modifiers, may_limit)
    # ConTextGraph.apply_modifiers (no pruning on overlap: prune_on_target_overlap is off).
    for target in target_spans:
        target_start, target_end, label = target.start, target.end, target.label_.upper()
        for modifier in modifiers:
            if _modifies(modifier, target, target_start, target_end, label):
                modifier.modify(target)
    edges = []
    for modifier in modifiers:
        modifier.reduce_targets()
        for target in modifier._targets:
            edges.append((target, modifier))
    context_graph.edges = edges
    for target, modifier in context_graph.edges:
        target._.modifiers += (modifier,)
    doc._.context_graph = context_graph
    return doc


def install() -> None:
    RegexMatcher.__call__ = fast_call
    ConText.__call__ = context_call


def original_call(matcher: RegexMatcher, doc) -> list[tuple[int, int, int]]:
    """medspaCy's own implementation, for the equivalence test."""
    return _original_call(matcher, doc)


def original_context_call(context: ConText, doc):
    """medspaCy's own ConText, for the equivalence test."""
    return _original_context_call(context, doc)
