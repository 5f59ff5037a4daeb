"""The JSON every API accepts: UTF-8 only, and nested at most MAX_DEPTH deep.

The request's charset names the codec the body is decoded with, so any
other charset is refused (415) before a byte is read: "charset=bz2" would
otherwise decompress a 449-byte body into 400 MB. Nesting is measured
before parsing, because Python's parser recurses once per level and a 2 KB
body nested 1,000 deep ends in a RecursionError (a 500).
"""

from __future__ import annotations

import re

from django.utils.http import parse_header_parameters
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.utils import json
from typing_extensions import override

MAX_DEPTH = 32
UTF8 = frozenset({"utf-8", "utf8"})

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str, *, stop_above: int = MAX_DEPTH) -> int:
    """How deep arrays and objects nest in `text` (stops counting once past `stop_above`)."""
    depth = peak = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > peak:
                peak = depth
                if peak > stop_above:
                    break
        else:
            depth -= 1
    return peak


class StrictJSONParser(JSONParser):
    """JSONParser that reads only UTF-8 and refuses deep nesting, each with a message that says so."""

    @override
    def parse(self, stream, media_type=None, parser_context=None):
        params = parse_header_parameters(media_type)[1] if media_type else {}
        charset = params.get("charset", "utf-8").strip().strip('"').lower()
        if charset not in UTF8:
            raise UnsupportedMediaType(
                media_type, detail=f'Send JSON encoded as UTF-8 (charset "{charset[:40]}" is not accepted).'
            )
        try:
            text = stream.read().decode("utf-8") if stream is not None else ""
        except UnicodeDecodeError as error:
            raise ParseError("The body is not valid UTF-8.") from error
        if json_depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep is not accepted.")
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
        except RecursionError as error:  # pragma: no cover (the depth check comes first)
            raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep is not accepted.") from error
