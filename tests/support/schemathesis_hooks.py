"""Hooks for `schemathesis run` against a live server: what tests/test_fuzz_api.py does in process.

    PYTHONPATH=. SCHEMATHESIS_HOOKS=tests.support.schemathesis_hooks SCHEMATHESIS_CALLBACK_IDS=1,2,3 \\
        .venv/bin/schemathesis run http://127.0.0.1:8077/api/schema/ --checks all ...

(`python -m tests.support.live_schemathesis` prepares a database, prints the
whole command and the session cookie to send.)

- Half of the public positive cases get a phone number libphonenumber calls
  valid: the schema's E.164 pattern cannot say which numbers are in use, so
  without this almost no case would reach the intake.
- Half of the staff cases with an `id` get one of SCHEMATHESIS_CALLBACK_IDS
  (callbacks that exist), never when the id is what a negative case breaks.
- Half of the positive schedule cases get a date from 2 to 300 days
  ahead: the schedule refuses the past and more than a year ahead, which a
  schema cannot say.
- A negative case whose invalid part would not reach the server (a query
  value null or an empty list, which is not sent at all) is dropped:
  schemathesis 3.39 would otherwise call a valid request negative.
"""

from __future__ import annotations

import json
import os
import zlib
from datetime import UTC, datetime, timedelta

import schemathesis
from schemathesis.models import prepare_request_data

from tests.support.schemathesis_rules import negation_reaches_the_server, present

PUBLIC_PATH = "/api/v1/appointment-requests/"
CALLBACK_IDS = [int(pk) for pk in os.environ.get("SCHEMATHESIS_CALLBACK_IDS", "").split(",") if pk.strip()]


def _is_negative(meta, location: str) -> bool:
    method = getattr(meta, location, None) if meta is not None else None
    return method is not None and method.is_negative


@schemathesis.hook
def filter_case(_context, case) -> bool:
    meta = case.meta
    if meta is None or not any(
        _is_negative(meta, location) for location in ("query", "path_parameters", "headers", "body")
    ):
        return True
    sent = prepare_request_data(case.as_transport_kwargs(base_url="http://127.0.0.1"))
    return negation_reaches_the_server(case, sent.url, sent.headers)


def _choice(case, salt: str) -> int:
    """A number from the case's own content: the same case always gets the same change, about half change."""
    content = json.dumps([salt, case.path_parameters, case.query, case.body], sort_keys=True, default=str)
    return zlib.crc32(content.encode())


@schemathesis.hook
def map_case(_context, case):
    meta = case.meta
    if case.operation.path == PUBLIC_PATH:
        if _is_negative(meta, "body") or not isinstance(case.body, dict) or _choice(case, "phone") % 2:
            return case
        changed = case.partial_deepcopy()
        changed.body["phone"] = f"+1603555{_choice(case, 'number') % 10_000:04d}"
        return changed
    id_is_the_negation = _is_negative(meta, "path_parameters") and not (
        _is_negative(meta, "body") and present(case.body)
    )
    changed = case
    if CALLBACK_IDS and case.path_parameters and not id_is_the_negation and _choice(case, "id") % 2:
        changed = changed.partial_deepcopy()
        changed.path_parameters["id"] = CALLBACK_IDS[_choice(case, "which") % len(CALLBACK_IDS)]
    if (
        case.operation.path.endswith("/schedule/")
        and isinstance(case.body, dict)
        and not _is_negative(meta, "body")
        and _choice(case, "date") % 2
    ):
        # A date the schedule accepts (2 to 300 days ahead, whatever the clinic's zone): a schema cannot say
        # "in the future".
        changed = changed.partial_deepcopy()
        days = 2 + _choice(case, "days") % 299
        changed.body["appointment_date"] = (datetime.now(tz=UTC).date() + timedelta(days=days)).isoformat()
    return changed
