"""Accepting an appointment request: one code path for the HTML form and the API."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from requests_app.business_hours import TIME_SLOTS, callback_due_at
from requests_app.models import AppointmentRequest, PipelineRecord, Priority, RequestNote, RequestStatus
from requests_app.services.pipeline import pipeline_publish_on_commit
from requests_app.triage import RED_FLAGS_BY_CODE, SYMPTOMS_BY_CODE, triage

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class IntakeResult:
    request: AppointmentRequest
    # False when the details were added to an open request from the same patient.
    created: bool
    flags: tuple[str, ...] = field(default=())


def client_ip_hash(ip: str) -> str:
    """A keyed hash of the client IP: enough to spot abuse, useless for finding a person."""
    if not ip:
        return ""
    return hmac.new(settings.IP_HASH_SALT.encode(), ip.encode(), hashlib.sha256).hexdigest()


def _open_duplicate(*, phone: str, email: str, now: datetime) -> AppointmentRequest | None:
    """The oldest open request from the same phone or email in the last 14 days.

    Two lookups, each an equality on its own index (phone, status, created_at)
    or (email, status, created_at); the email is stored lowercased. One query
    with an OR lets a planner without statistics scan every open request.
    """
    recent_open = AppointmentRequest.objects.select_for_update().filter(
        status=RequestStatus.OPEN, created_at__gte=now - DUPLICATE_WINDOW
    )
    matches = [
        recent_open.filter(phone=phone).order_by("created_at").first(),
        recent_open.filter(email=email).order_by("created_at").first(),
    ]
    return min((m for m in matches if m is not None), key=lambda m: m.created_at, default=None)


def _repeat_note(fields: dict, flags: list[str]) -> str:
    """The new details of a repeat submission, as a note the desk can read."""
    lines = [
        f"Another request came from the same phone or email, sent by {fields['first_name']} {fields['last_name']}:"
    ]
    if fields.get("reason"):
        lines.append(f"Reason: {fields['reason']}")
    symptoms = [SYMPTOMS_BY_CODE[c].label for c in fields.get("symptoms", ()) if c in SYMPTOMS_BY_CODE]
    if symptoms:
        lines.append("Symptoms: " + "; ".join(symptoms))
    if flags:
        lines.append("Red flags: " + "; ".join(RED_FLAGS_BY_CODE[c].label for c in flags))
    slots = [TIME_SLOTS[s][0] for s in fields.get("best_time_slots", ()) if s in TIME_SLOTS]
    if slots or fields.get("best_days"):
        lines.append("Best time to call: " + ", ".join(slots + [d.title() for d in fields.get("best_days", ())]))
    lines.append(f"Phone: {fields['phone']}  Email: {fields['email']}")
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
) -> IntakeResult:
    """Accept a request: triage it, merge it into an open one from the same patient, hand it on.

    Everything is written in one transaction together with a pipeline record
    (the outbox), and the Celery pipeline is told after the commit. If Redis
    is down at that moment the request is still safe: beat re-publishes the
    outbox once it is back.
    """
    result = triage(symptoms=list(symptoms), reason=reason)
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
    with transaction.atomic():
        existing = _open_duplicate(phone=fields["phone"], email=fields["email"], now=now)
        if existing is not None:
            RequestNote.objects.create(
                request=existing, kind=RequestNote.Kind.REPEAT_SUBMISSION, body=_repeat_note(fields, result.codes)
            )
            new_flags = [code for code in result.codes if code not in existing.red_flags]
            if new_flags:
                # Worse symptoms than before: the open request becomes urgent,
                # and the pipeline runs again to re-prioritise its callback.
                existing.red_flags = [*existing.red_flags, *new_flags]
                existing.priority = Priority.URGENT
                existing.save(update_fields=["red_flags", "priority", "updated_at"])
                record = PipelineRecord.objects.create(request=existing)
                pipeline_publish_on_commit(record)
            logger.info("appointment request merged into an open one", extra={"request_id": existing.pk})
            return IntakeResult(request=existing, created=False, flags=tuple(result.codes))

        request = AppointmentRequest(
            **fields,
            consent=consent,
            privacy_notice_version=settings.CLINIC["PRIVACY_NOTICE_VERSION"],
            channel=channel,
            priority=Priority.URGENT if result.urgent else Priority.ROUTINE,
            red_flags=result.codes,
            ip_hash=client_ip_hash(client_ip),
        )
        # Field rules (phone, email, lengths, choices); uniqueness and the
        # consent constraint are the database's to enforce, without a query here.
        request.full_clean(validate_unique=False, validate_constraints=False)
        request.save()
        record = PipelineRecord.objects.create(request=request)
        pipeline_publish_on_commit(record)
    logger.info("appointment request accepted", extra={"request_id": request.pk, "priority": request.priority})
    return IntakeResult(request=request, created=True, flags=tuple(result.codes))


def expected_callback(request: AppointmentRequest) -> datetime:
    """When the patient can expect the call, from the clinic's hours and their best time."""
    return callback_due_at(
        received_at=request.created_at,
        urgent=request.is_urgent,
        best_time_slots=request.best_time_slots,
        best_days=request.best_days,
    )


def patient_guidance(request: AppointmentRequest) -> str | None:
    """What a patient with red-flag symptoms should do now, rather than wait for the call."""
    return guidance_text(urgent=request.is_urgent)


def submission_urgent(result: IntakeResult) -> bool:
    """Whether this submission reported red flags.

    For a repeat merged into an open request, this is the new submission's
    own triage: the answer must not reveal what the earlier request said
    (a shared family phone or email is common).
    """
    return result.request.is_urgent if result.created else bool(result.flags)


def guidance_text(*, urgent: bool) -> str | None:
    if not urgent:
        return None
    clinic = settings.CLINIC
    return (
        f"Some of what you told us can be a sign of a problem that needs prompt care. Please call us now on "
        f"{clinic['PHONE']} rather than wait for our call. If you have lost control of your bladder or bowels, "
        f"have numbness in your groin or inner thighs, or sudden severe weakness in your legs, go to the nearest "
        f"emergency department or call {clinic['EMERGENCY_NUMBER']} now."
    )
