"""How schemathesis' cases are judged here, shared by tests/test_fuzz_api.py and the CLI hooks.

Nothing here imports Django: `schemathesis run` loads tests/support/schemathesis_hooks.py
in its own process, against a live server.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from schemathesis.types import NotSet


def present(value) -> bool:
    return value is not None and not isinstance(value, NotSet) and value != {}


def as_received(schema: dict, raw: str):
    """A query value or header as the API reads it: text, which it parses by the declared type."""
    kind = schema.get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", raw):
        return int(raw)
    return raw


def declared_values_are_valid(operation, location: str, received: dict[str, str]) -> bool:
    declared = {p.name.lower(): p.definition.get("schema", {}) for p in getattr(operation, location)}
    validator = operation.schema.validator_cls
    return all(
        validator(declared[name.lower()]).is_valid(as_received(declared[name.lower()], value))
        for name, value in received.items()
        if name.lower() in declared
    )


def negation_reaches_the_server(case, sent_url: str, sent_headers: dict[str, str]) -> bool:
    """Whether a negative case's invalid part was sent, as opposed to dropped or replaced on the way.

    Judged on the request as sent: a null or an empty list in the query is
    not sent at all, a list sends its last item, and undeclared parameters
    are not a negation the API has to refuse (see tests/test_fuzz_api.py).
    """
    meta = case.meta
    if meta is None:
        return False

    def negated(location: str) -> bool:
        method = getattr(meta, location)
        return method is not None and method.is_negative

    if negated("body") and present(case.body):
        return True
    if negated("path_parameters") and present(case.path_parameters):
        # A path parameter is text on the wire: a negated integer may be the string "5", which is an id.
        sent_path = {name: str(value) for name, value in case.path_parameters.items()}
        if not declared_values_are_valid(case.operation, "path_parameters", sent_path):
            return True
    query = {name: values[-1] for name, values in parse_qs(urlsplit(sent_url).query, keep_blank_values=True).items()}
    return (negated("query") and not declared_values_are_valid(case.operation, "query", query)) or (
        negated("headers") and not declared_values_are_valid(case.operation, "headers", dict(sent_headers))
    )
