"""Skip a regular expression that cannot match: the literal words every match must contain.

Triage has ~200 patterns, and running each over every text took most of
its time. For each pattern this works out, from Python's own parse of it, a
set of literal strings such that every match contains at least one of them
(the idea of RE2's prefilter). A pattern whose set has no member in the
text is not run at all. The set is computed conservatively: where it cannot
tell (a character class, a lookaround, an optional part), it asks for
nothing, and the pattern always runs. `tests/test_triage_engine.py` checks
that the filtered matcher finds exactly what the unfiltered one finds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser as parser  # type: ignore[attr-defined]

Requirement = frozenset[str] | None
_REPEATS = tuple(op for op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)) if op is not None)


def _better(first: Requirement, second: Requirement) -> Requirement:
    """The more selective of two requirements (longer shortest string, then fewer strings)."""
    if first is None:
        return second
    if second is None:
        return first

    def key(requirement: frozenset[str]) -> tuple[int, int]:
        return (min(len(s) for s in requirement), -len(requirement))

    return first if key(first) >= key(second) else second


def _sequence(items) -> Requirement:
    best: Requirement = None
    run: list[str] = []

    def flush() -> None:
        nonlocal best, run
        if run:
            best = _better(best, frozenset({"".join(run)}))
            run = []

    for op, arg in items:
        if op is c.LITERAL:
            run.append(chr(arg))
            continue
        if op in _REPEATS and arg[0] >= 1 and len(arg[2]) == 1 and arg[2][0][0] is c.LITERAL:
            # "e+" in "fe+ver": at least one "e" continues the run, then the run must end.
            run.append(chr(arg[2][0][1]))
            flush()
            continue
        flush()
        best = _better(best, _item(op, arg))
    flush()
    return best


def _item(op, arg) -> Requirement:
    if op is c.SUBPATTERN:
        _group, add_flags, _del_flags, pattern = arg
        if add_flags & c.SRE_FLAG_IGNORECASE:
            return None
        return _sequence(pattern)
    if op is c.BRANCH:
        _, alternatives = arg
        union: set[str] = set()
        for alternative in alternatives:
            requirement = _sequence(alternative)
            if requirement is None:
                return None
            union |= requirement
        return frozenset(union)
    if op in _REPEATS:
        minimum, _maximum, pattern = arg
        return _sequence(pattern) if minimum >= 1 else None
    # Character classes, lookarounds, anchors, "any": nothing literal is certain.
    return None


@lru_cache(maxsize=1024)
def required_literals(pattern: str, flags: int = 0) -> Requirement:
    """Strings one of which is in every match of `pattern` (None: no such set could be found)."""
    if flags & re.IGNORECASE:
        # Only patterns that switch case-folding off for themselves ("(?-i:...)") are filtered.
        parsed = parser.parse(pattern, flags)
        items = list(parsed)
        if len(items) != 1 or items[0][0] is not c.SUBPATTERN or not items[0][1][2] & c.SRE_FLAG_IGNORECASE:
            return None
        return _item(*items[0])
    return _sequence(parser.parse(pattern, flags))


_gates: dict[re.Pattern, re.Pattern | None] = {}


def _gate(compiled: re.Pattern) -> re.Pattern | None:
    requirement = required_literals(compiled.pattern, compiled.flags & re.IGNORECASE)
    if requirement is None:
        return None
    return re.compile("|".join(re.escape(literal) for literal in sorted(requirement, key=len, reverse=True)))


def may_match(compiled: re.Pattern, text: str) -> bool:
    """False only when `compiled` cannot match `text`."""
    try:
        gate = _gates[compiled]
    except KeyError:
        gate = _gates[compiled] = _gate(compiled)
    return gate is None or gate.search(text) is not None
