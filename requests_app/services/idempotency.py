"""Idempotent submissions: the same key and body replay the first answer and create nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

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
    record = IdempotencyRecord.objects.filter(key=key).first()
    if record is None:
        return None
    if record.fingerprint != body_fingerprint:
        raise IdempotencyConflict
    return SubmissionOutcome(status_code=record.status_code, body=record.response_body, replayed=True)


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
