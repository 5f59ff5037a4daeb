"""re.search for tests: a pattern that must be there, so a miss fails the test where it happens."""

from __future__ import annotations

import re


def must_search(pattern: str, text: str, flags: int | re.RegexFlag = 0) -> re.Match[str]:
    match = re.search(pattern, text, flags)
    assert match is not None, f"{pattern!r} not found"
    return match
