"""Skip a regular expression that cannot match, and try one only where a match can start.

Triage has ~250 patterns, and running each over every text took most of
its time. For each pattern this works out, from Python's own parse of it, a
set of literal strings such that every match contains at least one of them
(the idea of RE2's prefilter); a sequence has several such sets, all
required ("numb... groin" needs one word of each list). A pattern with a
required set that has no member in the text is not run at all. The set is computed conservatively: where it cannot
tell (a character class, a lookaround, an optional part), it asks for
nothing, and the pattern always runs. `tests/test_triage_engine.py` checks
that the filtered matcher finds exactly what the unfiltered one finds.

`match_starts` works out, the same way, strings one of which every match
starts with ("if i", "what if", "gone", ...). Python's engine tries a
pattern at every position of the text unless the pattern begins with a
fixed string or character; for a pattern of fifty alternatives that is
most of its cost. The same pass over the text that finds the literals
finds where each pattern's starts begin, and the pattern is tried there
only (see `speedups`).
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


def _trie(literals: list[str]) -> str:
    """A regular expression that matches, at a position, the longest of `literals` that starts there."""
    root: dict = {}
    for literal in literals:
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        # Children start with different characters, so at most one of them can go on: the match
        # goes as deep as the text allows, and the greedy "?" of an end of a literal keeps the longest.
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


class Gates:
    """One pass over a text for many patterns: which may match it, and where those with starts may begin.

    `may_match` searched the text once per required set of each pattern (~600
    searches a text). Here one regular expression finds, at every position,
    the longest literal that starts there; every literal that is a prefix of
    it starts there too. So each literal found stands for a known collection
    of required sets it satisfies, and a pattern may match when all of its
    sets are among those (the same answer `may_match` gives). The literals
    include the starts of the patterns given some (`match_starts`): where
    one begins, such a pattern may begin, and nowhere else.
    """

    def __init__(self, patterns: list[re.Pattern], starts: list[frozenset[str] | None] | None = None):
        requirements = [required_sets(pattern.pattern, pattern.flags & re.IGNORECASE) for pattern in patterns]
        numbers: dict[frozenset[str], int] = {}
        for sets in requirements:
            for found in sets:
                numbers.setdefault(found, len(numbers))
        # Per pattern, the numbers of the sets it needs (empty: it always runs).
        self._needs = [frozenset(numbers[found] for found in sets) for sets in requirements]
        in_sets: dict[str, set[int]] = {}
        for found, number in numbers.items():
            for literal in found:
                in_sets.setdefault(literal, set()).add(number)
        begins: dict[str, set[int]] = {}
        for index, strings in enumerate(starts or ()):
            for string in strings or ():
                begins.setdefault(string, set()).add(index)
        literals = sorted(in_sets.keys() | begins.keys())
        self._finder = re.compile(f"(?=({_trie(literals)}))") if literals else None

        def with_prefixes(literal: str, table: dict[str, set[int]]) -> frozenset[int]:
            return frozenset().union(*(table.get(literal[:end], ()) for end in range(1, len(literal) + 1)))

        # Per literal: the sets satisfied where it starts, and the patterns that may begin there (by it, or by
        # a shorter literal that is its prefix).
        self._satisfies = {literal: with_prefixes(literal, in_sets) for literal in literals}
        self._begin = {literal: tuple(sorted(with_prefixes(literal, begins))) for literal in literals}

    def scan(self, text: str) -> tuple[list[bool], dict[int, list[int]]]:
        """Per pattern, False only when it cannot match `text`; and where each one given starts may begin.

        The positions, per pattern index, are ascending.
        """
        at: dict[str, list[int]] = {}
        if self._finder is not None:
            for found in self._finder.finditer(text):
                literal = found.group(1)
                if literal in at:
                    at[literal].append(found.start())
                else:
                    at[literal] = [found.start()]
        satisfied = frozenset().union(*(self._satisfies[literal] for literal in at))
        positions: dict[int, list[int]] = {}
        for literal, where in at.items():
            for index in self._begin[literal]:
                if index in positions:
                    positions[index] += where
                    positions[index].sort()
                else:
                    positions[index] = list(where)
        return [needs <= satisfied for needs in self._needs], positions

    def passing(self, text: str) -> list[bool]:
        """For each pattern, in order: False only when it cannot match `text`."""
        return self.scan(text)[0]


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


# --- where a match can start ------------------------------------------------------------------

_ZERO_WIDTH = (c.AT, c.ASSERT, c.ASSERT_NOT)
# A prefix of a start is a start too: longer ones are cut here, and sets that would multiply past
# the limit are left as they are.
_START_LENGTH = 12
_PRODUCT_LIMIT = 4096


def _caseless(ignorecase: bool, arg) -> bool:
    """Whether a group's body matches case-insensitively (its own flags switch it on or off)."""
    _group, add_flags, del_flags, _pattern = arg
    return bool((ignorecase or add_flags & c.SRE_FLAG_IGNORECASE) and not del_flags & c.SRE_FLAG_IGNORECASE)


def _consumed(items, ignorecase: bool) -> set[str] | None:
    """Every string the sequence can consume (or a few more); None when that is not a short list."""
    found = {""}
    for op, arg in items:
        strings = _consumed_item(op, arg, ignorecase)
        if strings is None or len(found) * len(strings) > _PRODUCT_LIMIT:
            return None
        found = {first + second for first in found for second in strings}
    return found


def _consumed_item(op, arg, ignorecase: bool) -> set[str] | None:
    if op in _ZERO_WIDTH:
        # \b, ^, lookarounds: they test the text but consume none of it.
        return {""}
    if op is c.LITERAL:
        return None if ignorecase else {chr(arg)}
    if op is c.IN:
        if ignorecase:
            return None
        chars: set[str] = set()
        for kind, value in arg:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE and value[1] - value[0] < 16:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:
                # A negation, a category (\d is every Unicode digit), a wide range: not a short list.
                return None
        return chars
    if op is c.SUBPATTERN:
        return _consumed(arg[3], _caseless(ignorecase, arg))
    if op is c.BRANCH:
        union: set[str] = set()
        for alternative in arg[1]:
            strings = _consumed(alternative, ignorecase)
            if strings is None:
                return None
            union |= strings
        return union
    if op in _REPEATS and arg[1] <= 1:
        minimum, _maximum, pattern = arg
        strings = _consumed(pattern, ignorecase)
        if strings is None:
            return None
        return strings if minimum else strings | {""}
    return None


def _starts(items, ignorecase: bool) -> set[str]:
    """Strings one of which every match of the sequence starts with ({""}: nothing known)."""
    found = {""}
    for op, arg in items:
        strings = _consumed_item(op, arg, ignorecase)
        if strings is None:
            strings = _starts_item(op, arg, ignorecase)
            if strings is None or len(found) * len(strings) > _PRODUCT_LIMIT:
                return found
            # The item's matches are not a short list, so nothing after it is certain.
            return {(first + second)[:_START_LENGTH] for first in found for second in strings}
        if len(found) * len(strings) > _PRODUCT_LIMIT:
            return found
        # A string already cut to the length stays as it is (its end is not where the item starts).
        found = {(first + second)[:_START_LENGTH] for first in found for second in strings}
    return found


def _starts_item(op, arg, ignorecase: bool) -> set[str] | None:
    """Non-empty strings one of which every match of an item starts with; None if not known."""
    if op is c.SUBPATTERN:
        strings = _starts(arg[3], _caseless(ignorecase, arg))
        return None if "" in strings else strings
    if op is c.BRANCH:
        union: set[str] = set()
        for alternative in arg[1]:
            strings = _starts(alternative, ignorecase)
            if "" in strings:
                return None
            union |= strings
        return union
    if op in _REPEATS and arg[0] >= 1:
        strings = _starts(arg[2], ignorecase)
        return None if "" in strings else strings
    return None


@lru_cache(maxsize=1024)
def match_starts(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Non-empty strings one of which every match of `pattern` starts with (None: no such set could be found)."""
    parsed = parser.parse(pattern, flags)
    found = _starts(list(parsed), bool(parsed.state.flags & c.SRE_FLAG_IGNORECASE))
    return None if "" in found else frozenset(found)
