"""What a patient sends: the appointment request and what hangs off it."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Crockford's base32 without the letters that read like digits (I, L, O, U):
# a reference read out over the phone is hard to mishear.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REASON_MAX_LENGTH = 2000


def new_reference() -> str:
    """An 8-character reference such as `K3F7-9XQ2`: 40 random bits, not the row id."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


class Priority(models.TextChoices):
    """Triage's tier (see requests_app.triage.flags.Tier), as stored."""

    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent"
    ROUTINE = "routine", "Routine"


# Queue order: emergency first. A tier's rank is also how triage compares tiers ("never lower").
PRIORITY_RANK = {Priority.EMERGENCY: 0, Priority.URGENT: 1, Priority.ROUTINE: 2}


def higher_priority(first: str, second: str) -> str:
    """The more pressing of two tiers."""
    return min(first, second, key=lambda value: PRIORITY_RANK[Priority(value)])


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    # A submission from the phone or email of an open request: its details went
    # to that request (`merged_into`), and it has no callback of its own.
    MERGED = "merged", "Merged into an open request"


class Channel(models.TextChoices):
    WEB_FORM = "web_form", "Web form"
    API = "api", "API"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email first, then a call"


class PainDuration(models.TextChoices):
    UNDER_A_WEEK = "under_1_week", "Less than a week"
    ONE_TO_SIX_WEEKS = "1_6_weeks", "1 to 6 weeks"
    SIX_TO_TWELVE_WEEKS = "6_12_weeks", "6 to 12 weeks"
    OVER_THREE_MONTHS = "over_3_months", "More than 3 months"


class PatientType(models.TextChoices):
    NEW = "new", "New patient"
    RETURNING = "returning", "Returning patient"


class AppointmentRequest(models.Model):
    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = PhoneNumberField()
    email = models.EmailField()
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE)
    # Codes of requests_app.business_hours.SLOTS and of weekdays (requests_app.opening_hours.DAY_CODES).
    best_time_slots = models.JSONField(default=list, blank=True)
    best_days = models.JSONField(default=list, blank=True)
    reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)
    # Codes from requests_app.triage.SYMPTOMS.
    symptoms = models.JSONField(default=list, blank=True)
    # Screening question code -> "yes" / "no" / "not_sure"; a question not here was skipped.
    screening = models.JSONField(default=dict, blank=True)
    pain_duration = models.CharField(max_length=20, choices=PainDuration.choices, blank=True)
    patient_type = models.CharField(max_length=10, choices=PatientType.choices, default=PatientType.NEW)
    insurance_note = models.CharField(max_length=200, blank=True)
    source_article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment_requests"
    )
    referrer = models.CharField(max_length=500, blank=True)
    campaign = models.CharField(max_length=100, blank=True)
    consent = models.BooleanField()
    privacy_notice_version = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    # Codes of the red flags triage found, kept for the desk and the statistics.
    red_flags = models.JSONField(default=list, blank=True)
    # Why each flag was raised: the patient's words (with offsets in `reason`), an answer or a ticked box.
    triage_evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    # Set on a MERGED submission: the open request its details were added to.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats", editable=False
    )
    # A keyed hash of the client IP, for abuse limits; never the IP itself.
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    # Set before a save, read by simple_history for the history row that save writes: why, and who
    # (also outside a web request). Declared here because simple_history ships no types.
    _change_reason: str
    _history_user: User

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["phone", "status", "created_at"], name="request_phone_open_idx"),
            models.Index(fields=["email", "status", "created_at"], name="request_email_open_idx"),
            models.Index(fields=["status", "created_at"], name="request_status_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(consent=True), name="request_requires_consent"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_urgent(self) -> bool:
        """Raised above routine: urgent or emergency."""
        return self.priority != Priority.ROUTINE

    @property
    def is_emergency(self) -> bool:
        return self.priority == Priority.EMERGENCY

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class RequestNote(models.Model):
    """Something added to a request after it arrived, such as a repeat submission's details."""

    class Kind(models.TextChoices):
        REPEAT_SUBMISSION = "repeat_submission", "Repeat submission"
        STAFF = "staff", "Staff note"
        PRIORITY_CHANGE = "priority_change", "Tier changed by a supervisor"
        CHECK = "check", "Check before calling"

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.request_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a submission carrying an idempotency key, replayed for repeats."""

    key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64)
    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key
