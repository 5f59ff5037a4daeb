"""Skip a regular expression that cannot match: the literal words every match must contain.

Triage has ~200 patterns, and running each over every text took most of
its time. For each pattern this works out, from Python's own parse of it, a
set of literal strings such that every match contains at least one of them
(the idea of RE2's prefilter); a sequence has several such sets, all
required ("numb... groin" needs one word of each list). A pattern with a
required set that has no member in the text is not run at all. The set is computed conservatively: where it cannot
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


def _conjuncts(items) -> list[frozenset[str]]:
    """Every requirement of a sequence: a match contains one string of each set."""
    found: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is c.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            found.append(frozenset({"".join(run)}))
            run = []
        if op is c.SUBPATTERN and not arg[1] & c.SRE_FLAG_IGNORECASE:
            found.extend(_conjuncts(arg[3]))
            continue
        requirement = _item(op, arg)
        if requirement is not None:
            found.append(requirement)
    if run:
        found.append(frozenset({"".join(run)}))
    return found


@lru_cache(maxsize=1024)
def required_sets(pattern: str, flags: int = 0) -> tuple[frozenset[str], ...]:
    """Sets of strings such that every match of `pattern` contains one string of each set (all of them)."""
    items = list(parser.parse(pattern, flags))
    if flags & re.IGNORECASE:
        if len(items) != 1 or items[0][0] is not c.SUBPATTERN or not items[0][1][2] & c.SRE_FLAG_IGNORECASE:
            return ()
        items = list(items[0][1][3])
    sets = [found for found in _conjuncts(items) if min(len(s) for s in found) >= 2]
    # The most selective few: longest shortest string first.
    sets.sort(key=lambda found: (-min(len(s) for s in found), len(found)))
    return tuple(sets[:3])


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


_gates: dict[re.Pattern, tuple[re.Pattern, ...]] = {}


def _gate(compiled: re.Pattern) -> tuple[re.Pattern, ...]:
    return tuple(
        re.compile("|".join(re.escape(literal) for literal in sorted(found, key=len, reverse=True)))
        for found in required_sets(compiled.pattern, compiled.flags & re.IGNORECASE)
    )


def may_match(compiled: re.Pattern, text: str) -> bool:
    """False only when `compiled` cannot match `text`: some required set has no member in it."""
    try:
        gates = _gates[compiled]
    except KeyError:
        gates = _gates[compiled] = _gate(compiled)
    return all(gate.search(text) is not None for gate in gates)
