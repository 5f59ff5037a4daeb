"""Idempotent submissions: the same key and body replay the first answer and create nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, transaction

from requests_app.models import AppointmentRequest, IdempotencyRecord


class IdempotencyConflict(Exception):
    """The key was used before with a different body."""


@dataclass(frozen=True)
class SubmissionOutcome:
    status_code: int
    body: dict
    replayed: bool


def fingerprint(data: Any) -> str:
    """A stable hash of a parsed body: key order and whitespace do not matter."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(key: str, body_fingerprint: str) -> SubmissionOutcome | None:
    if not _key_used(key):
        return None  # a new submission, as nearly all are
    record = IdempotencyRecord.objects.filter(key=key).first()
    if record is None:
        return None
    if record.fingerprint != body_fingerprint:
        raise IdempotencyConflict
    return SubmissionOutcome(status_code=record.status_code, body=record.response_body, replayed=True)


def _key_used(key: str) -> bool:
    """Whether a record has this key: one statement on the unique index.

    Written out: the form asks at every submission, and building the ORM's
    query cost several times running it.
    """
    connection = connections[IdempotencyRecord.objects.db]
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    column = connection.ops.quote_name(IdempotencyRecord._meta.get_field("key").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE {column} = %s", [key])  # noqa: S608 (names, not values)
        return cursor.fetchone() is not None


def idempotent_submission(
    *,
    key: str,
    fingerprint: str,
    create: Callable[[], tuple[AppointmentRequest, int, dict]],
) -> SubmissionOutcome:
    """Run `create` once per key. A repeat with the same fingerprint gets the first answer.

    The record is written in the same transaction as the request, under a
    unique key: of two concurrent submissions with one key, the second waits
    for the first's commit, fails on the key, rolls back everything it wrote,
    and replays the first's answer. Exactly one request exists either way.
    """
    replay = _replay(key, fingerprint)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            request, status_code, body = create()
            IdempotencyRecord.objects.create(
                key=key, fingerprint=fingerprint, request=request, status_code=status_code, response_body=body
            )
    except IntegrityError:
        replay = _replay(key, fingerprint)
        if replay is None:
            raise
        return replay
    return SubmissionOutcome(status_code=status_code, body=body, replayed=False)
