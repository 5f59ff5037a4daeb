"""Accepting an appointment request: one code path for the HTML form and the API."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, models, transaction
from django.utils import timezone

from clinic.client_address import client_ip_hash
from requests_app.formatting import best_time_text
from requests_app.models import AppointmentRequest, RequestNote, RequestStatus
from requests_app.models.intake import higher_priority
from requests_app.services.pipeline import pipeline_record_create
from requests_app.triage import RED_FLAGS_BY_CODE, SYMPTOMS_BY_CODE, TriageResult, triage
from requests_app.triage.screening import ANSWER_LABELS, QUESTIONS_BY_CODE, clean_answers

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class IntakeResult:
    """The submission's own row: a new request, or a repeat merged into an open one (`merged`).

    Either way the sender is answered from this row alone (its reference, its
    tier, its expected call), so the answer says nothing about any other request.
    """

    request: AppointmentRequest
    flags: tuple[str, ...] = field(default=())

    @property
    def merged(self) -> bool:
        return self.request.merged_into_id is not None


def _open_duplicate(*, phone: str, email: str, now: datetime) -> AppointmentRequest | None:
    """The oldest open request from the same phone or email in the last 14 days, locked for the merge.

    Most submissions have none, so first one statement without a lock asks
    whether there is any (`_any_open_from`); only if there is are the
    requests read, under a row lock (FOR UPDATE on PostgreSQL; SQLite's
    transaction holds the whole database), by two lookups, each an equality
    on its own index (phone, status, created_at) or (email, status,
    created_at); the email is stored lowercased. One query with an OR lets a
    planner without statistics scan every open request.
    """
    cutoff = now - DUPLICATE_WINDOW
    if not _any_open_from(phone=phone, email=email, cutoff=cutoff):
        return None
    recent_open = AppointmentRequest.objects.select_for_update().filter(
        status=RequestStatus.OPEN, created_at__gte=cutoff
    )
    matches = [
        recent_open.filter(phone=phone).order_by("created_at").first(),
        recent_open.filter(email=email).order_by("created_at").first(),
    ]
    return min((m for m in matches if m is not None), key=lambda m: m.created_at, default=None)


def _any_open_from(*, phone: str, email: str, cutoff: datetime) -> bool:
    """Whether an open request from this phone or email was made since `cutoff`: one statement, two index seeks.

    Written out rather than built by the ORM at each submission (building
    the two lookups cost more than running them); each EXISTS is an
    equality on its own index, as in `_open_duplicate`.
    """
    alias = AppointmentRequest.objects.db
    connection = connections[alias]
    stored_phone = _phone_field().get_prep_value(phone)
    since = connection.ops.adapt_datetimefield_value(cutoff)
    with connection.cursor() as cursor:
        cursor.execute(
            _any_open_sql(alias),
            [stored_phone, RequestStatus.OPEN.value, since, email, RequestStatus.OPEN.value, since],
        )
        return bool(cursor.fetchone()[0])


def _phone_field() -> models.Field:
    field = AppointmentRequest._meta.get_field("phone")
    assert isinstance(field, models.Field)  # a PhoneNumberField, which django-stubs cannot see
    return field


@functools.cache
def _any_open_sql(alias: str) -> str:
    """The statement for the database `alias` (its quoting), made once per process."""
    quote = connections[alias].ops.quote_name
    table = quote(AppointmentRequest._meta.db_table)
    meta = AppointmentRequest._meta
    status, created_at = quote(meta.get_field("status").column), quote(meta.get_field("created_at").column)
    phone, email = quote(_phone_field().column), quote(meta.get_field("email").column)
    # Only the model's own table and column names are formatted in; every value is a parameter.
    lookups = [
        f"EXISTS (SELECT 1 FROM {table} WHERE {column} = %s AND {status} = %s AND {created_at} >= %s)"  # noqa: S608
        for column in (phone, email)
    ]
    return f"SELECT {lookups[0]} OR {lookups[1]}"


def _matched_on(existing: AppointmentRequest, fields: dict) -> str:
    same_phone = str(existing.phone) == fields["phone"]
    same_email = existing.email == fields["email"]
    return "phone and email" if same_phone and same_email else "phone" if same_phone else "email"


def _repeat_note(repeat: AppointmentRequest, *, matched_on: str, flags: list[str], screening: dict[str, str]) -> str:
    """A repeat submission's details, as a note on the open request: unverified, since anyone can send one."""
    lines = [
        f"Another submission ({repeat.reference}) came from the same {matched_on}, unverified: anyone who "
        f"knows them can send one. Sent as {repeat.full_name}.",
    ]
    if repeat.reason:
        lines.append(f"Reason: {repeat.reason}")
    symptoms = [SYMPTOMS_BY_CODE[c].label for c in repeat.symptoms if c in SYMPTOMS_BY_CODE]
    if symptoms:
        lines.append("Symptoms: " + "; ".join(symptoms))
    if flags:
        lines.append("Red flags: " + "; ".join(RED_FLAGS_BY_CODE[c].label for c in flags))
    if screening:
        lines.append(
            "Screening: " + "; ".join(f"{QUESTIONS_BY_CODE[c].text} {ANSWER_LABELS[a]}" for c, a in screening.items())
        )
    if repeat.best_time_slots or repeat.best_days:
        lines.append("Best time to call: " + best_time_text(repeat.best_time_slots, repeat.best_days))
    lines.append(f"Phone: {repeat.phone}  Email: {repeat.email}")
    return "\n".join(lines)


def appointment_request_create(
    *,
    first_name: str,
    last_name: str,
    phone: str,
    email: str,
    consent: bool,
    channel: str,
    reason: str = "",
    preferred_contact: str = "phone",
    best_time_slots: list[str] | tuple[str, ...] = (),
    best_days: list[str] | tuple[str, ...] = (),
    symptoms: list[str] | tuple[str, ...] = (),
    pain_duration: str = "",
    patient_type: str = "new",
    insurance_note: str = "",
    source_article=None,
    referrer: str = "",
    campaign: str = "",
    client_ip: str = "",
    screening: dict[str, str] | None = None,
    checks: list[str] | tuple[str, ...] = (),
) -> IntakeResult:
    """Accept a request: triage it, merge it into an open one from the same patient, hand it on.

    Everything is written in one transaction together with a pipeline record
    (the outbox), and the Celery pipeline is told after the commit. If Redis
    is down at that moment the request is still safe: beat re-publishes the
    outbox once it is back.

    A submission from the phone or email of an open request is stored as a
    row of its own (MERGED, with its own reference and tier, and its own
    acknowledgement), and its details are added to the open request as an
    unverified note. It can raise that request's tier, never lower it.

    `checks` are things the desk should check before calling (such as a form
    sent back within seconds of loading): each becomes a note on the request
    the desk works, never a reason to refuse it.
    """
    answers = clean_answers(screening or {})
    result = triage(symptoms=list(symptoms), reason=reason, screening=answers)
    now = timezone.now()
    fields = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "phone": str(phone),
        # Lowercased: patients type their address in any case, and the
        # duplicate check compares addresses exactly.
        "email": email.strip().lower(),
        "reason": reason.strip(),
        "preferred_contact": preferred_contact,
        "best_time_slots": list(dict.fromkeys(best_time_slots)),
        "best_days": list(dict.fromkeys(best_days)),
        "symptoms": list(dict.fromkeys(symptoms)),
        "pain_duration": pain_duration,
        "patient_type": patient_type,
        "insurance_note": insurance_note.strip(),
        "source_article": source_article,
        "referrer": referrer[:500],
        "campaign": campaign[:100],
    }
    request = AppointmentRequest(
        **fields,
        consent=consent,
        privacy_notice_version=settings.CLINIC["PRIVACY_NOTICE_VERSION"],
        channel=channel,
        priority=result.priority,
        red_flags=result.codes,
        triage_evidence=_evidence_rows(result),
        screening=answers,
        ip_hash=client_ip_hash(client_ip),
    )
    # Field rules (phone, email, lengths, choices); uniqueness and the consent
    # constraint are the database's to enforce, without a query here. Checked
    # before the transaction, which on SQLite holds the only write lock.
    request.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        existing = _open_duplicate(phone=fields["phone"], email=fields["email"], now=now)
        if existing is not None:
            request.status = RequestStatus.MERGED
            request.merged_into = existing
        request.save()
        # Its own record: a merged submission is acknowledged like any other.
        pipeline_record_create(request=request)
        if existing is not None:
            _merge_repeat(existing, repeat=request, fields=fields, result=result, answers=answers)
            logger.info("appointment request merged into an open one", extra={"request_id": request.pk})
        _add_checks(existing or request, repeat=request if existing is not None else None, checks=checks)
    logger.info("appointment request accepted", extra={"request_id": request.pk, "priority": request.priority})
    return IntakeResult(request=request, flags=tuple(result.codes))


def _add_checks(request: AppointmentRequest, *, repeat: AppointmentRequest | None, checks) -> None:
    """A note per thing to check; on an open request, naming the repeat submission it is about."""
    prefix = f"About {repeat.reference}: " if repeat is not None else ""
    RequestNote.objects.bulk_create(
        RequestNote(request=request, kind=RequestNote.Kind.CHECK, body=prefix + check) for check in checks
    )


def _evidence_rows(result: TriageResult, *, repeat: str = "") -> list[dict]:
    """Why triage decided; on an open request, a repeat's rows carry the repeat's reference."""
    rows = [item.as_dict() for item in result.evidence]
    rows += [{"flag": "", "source": "screening", "question": code, "answer": "not_sure"} for code in result.unsure]
    if repeat:
        # Offsets point into the repeat's own text (kept in its note), not into the request's reason.
        rows = [{**{k: v for k, v in row.items() if k not in ("start", "end")}, "repeat": repeat} for row in rows]
    return rows


def _merge_repeat(
    existing: AppointmentRequest, *, repeat: AppointmentRequest, fields: dict, result: TriageResult, answers: dict
) -> None:
    """Add a repeat submission's details to the open request, and raise its tier if the repeat's is higher."""
    RequestNote.objects.create(
        request=existing,
        kind=RequestNote.Kind.REPEAT_SUBMISSION,
        body=_repeat_note(repeat, matched_on=_matched_on(existing, fields), flags=result.codes, screening=answers),
    )
    new_flags = [code for code in result.codes if code not in existing.red_flags]
    raised = higher_priority(existing.priority, result.priority)
    if not new_flags and raised == existing.priority and not result.unsure:
        return
    existing.red_flags = [*existing.red_flags, *new_flags]
    existing.triage_evidence = [*existing.triage_evidence, *_evidence_rows(result, repeat=repeat.reference)]
    existing.screening = {**answers, **existing.screening}
    existing.priority = raised
    existing.save(update_fields=["red_flags", "triage_evidence", "screening", "priority", "updated_at"])
    # The pipeline runs again to re-prioritise the callback and send the alert of the new tier.
    pipeline_record_create(request=existing)
