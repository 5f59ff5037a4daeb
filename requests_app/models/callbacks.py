"""The front desk's work: one callback per request, and every call attempt on it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from requests_app.formatting import short_moment
from requests_app.models.intake import PRIORITY_RANK, AppointmentRequest, Priority

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class CallbackStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    SCHEDULED = "scheduled", "Scheduled"
    UNREACHABLE = "unreachable", "Unreachable"
    CLOSED = "closed", "Closed"


# What "open" means for a callback: still to be called. Everything else asks
# `Callback.is_open` or `Callback.objects.open()`, both built on this.
OPEN_CALLBACK_STATUSES = (CallbackStatus.NEW, CallbackStatus.IN_PROGRESS)


class ClosingReason(models.TextChoices):
    SCHEDULED = "scheduled", "Appointment scheduled"
    DECLINED = "declined", "Patient declined"
    UNREACHABLE = "unreachable", "Could not reach the patient"
    DUPLICATE = "duplicate", "Duplicate of another request"
    NOT_A_PATIENT = "not_a_patient", "Not an appointment request (spam, sales, test)"
    REFERRED = "referred", "Referred elsewhere"
    OTHER = "other", "Other"


class CallOutcome(models.TextChoices):
    SCHEDULED = "reached_scheduled", "Reached: appointment scheduled"
    DECLINED = "reached_declined", "Reached: declined"
    VOICEMAIL = "voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    WRONG_NUMBER = "wrong_number", "Wrong number"


# Attempts that did not reach the patient; three of them allow "unreachable".
FAILED_OUTCOMES = (CallOutcome.VOICEMAIL, CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.WRONG_NUMBER)
UNREACHABLE_AFTER_ATTEMPTS = 3


class CallbackQuerySet(models.QuerySet):
    def open(self) -> CallbackQuerySet:
        """Callbacks still to be called (new or in progress), read off the open-queue index."""
        return self.filter(is_open=True)

    def overdue(self, now: datetime | None = None) -> CallbackQuerySet:
        """Callbacks past their due time (open or not: combine with `open()`)."""
        return self.filter(due_at__lt=now or timezone.now())


class Callback(models.Model):
    request = models.OneToOneField(AppointmentRequest, on_delete=models.CASCADE, related_name="callback")
    status = models.CharField(max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.NEW)
    # Computed by the database from status, so no write (bulk_create, update()) can
    # leave it behind: one equality the queue's index can start with, where
    # "status IN (...)" would need a sort.
    is_open = models.GeneratedField(
        # django-stubs type `expression` as Expression; Django takes any resolvable expression, a Q included.
        expression=models.Q(status__in=OPEN_CALLBACK_STATUSES),  # type: ignore[arg-type]
        output_field=models.BooleanField(),
        db_persist=True,
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    # Emergency, then urgent, then routine: alphabetical order would be accidental, so rank
    # explicitly. Computed by the database from priority, like is_open.
    priority_rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(priority=tier, then=models.Value(rank)) for tier, rank in PRIORITY_RANK.items()),
            default=models.Value(PRIORITY_RANK[Priority.ROUTINE]),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The holder's last action on it: a claim lapses CALLBACK_CLAIM_LAPSE_MINUTES after this.
    holder_active_at = models.DateTimeField(null=True, blank=True)
    # When the patient's "better time" link put it back on the queue: only failed
    # attempts since then count toward "unreachable" (the earlier ones stay in the history).
    reopened_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Kept on the row so the queue page shows it without counting attempts per row.
    attempt_count = models.PositiveSmallIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.CharField(max_length=20, choices=ClosingReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    appointment_date = models.DateField(null=True, blank=True)
    appointment_time = models.TimeField(null=True, blank=True)
    appointment_location = models.CharField(max_length=200, blank=True)
    appointment_note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallbackQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])
    # Set before a save, read by simple_history for the history row that save writes: why, and who
    # (also outside a web request). Declared here because simple_history ships no types.
    _change_reason: str
    _history_user: User

    class Meta:
        ordering = ["priority_rank", "due_at"]
        indexes = [
            models.Index(fields=["priority_rank", "due_at"], name="callback_queue_order_idx"),
            # The queue page's default: open callbacks in queue order, read
            # straight off this index however many closed ones pile up.
            models.Index(fields=["is_open", "priority_rank", "due_at", "id"], name="callback_open_queue_idx"),
            models.Index(fields=["status", "priority_rank", "due_at"], name="callback_status_queue_idx"),
            models.Index(fields=["status", "due_at"], name="callback_status_due_idx"),
            models.Index(fields=["assigned_to", "status"], name="callback_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=CallbackStatus.SCHEDULED) | models.Q(appointment_date__isnull=False),
                name="callback_scheduled_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CallbackStatus.CLOSED) | ~models.Q(closing_reason=""),
                name="callback_closed_has_reason",
            ),
        ]
        permissions = [
            ("work_callback", "Can claim, call, schedule and close callbacks"),
            ("supervise_callback", "Can reassign callbacks, see the dashboard and export"),
        ]

    def __str__(self) -> str:
        return f"Callback {self.request.reference}" if self.request_id else "Callback"

    def save(self, *args, **kwargs) -> None:
        # The database computes is_open and priority_rank; Django 5.2 reads generated
        # columns back after an INSERT only, so this instance (and its history row,
        # written during the save) sees them from the same definitions.
        self.is_open = self.status in OPEN_CALLBACK_STATUSES
        self.priority_rank = PRIORITY_RANK[Priority(self.priority)]
        super().save(*args, **kwargs)

    def failed_attempts(self):
        """Calls that did not reach the patient, counted toward "unreachable": since the last reopening only."""
        attempts = self.attempts.filter(outcome__in=FAILED_OUTCOMES)
        if self.reopened_at is not None:
            attempts = attempts.filter(made_at__gte=self.reopened_at)
        return attempts


class CallAttempt(models.Model):
    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempts")
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices)
    note = models.TextField(max_length=1000, blank=True)

    history = HistoricalRecords()
    _history_user: User  # as on Callback

    class Meta:
        ordering = ["made_at"]
        indexes = [models.Index(fields=["made_by", "made_at"], name="attempt_staff_idx")]

    def __str__(self) -> str:
        # On the clinic's clock, as every page says a moment.
        return f"{self.get_outcome_display()}, {short_moment(self.made_at)}"


class StaffProfile(models.Model):
    """Front-desk state of a staff member: on shift or not, and when last given a callback."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    on_shift = models.BooleanField(default=False)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    _change_reason: str  # as on Callback

    def __str__(self) -> str:
        return f"{self.user} ({'on shift' if self.on_shift else 'off shift'})"


class ClinicClosure(models.Model):
    """A day the clinic is closed beyond the public holidays (training day, weather)."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"
