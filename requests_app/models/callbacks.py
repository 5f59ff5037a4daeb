"""The front desk's work: one callback per request, and every call attempt on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from requests_app.models.intake import PRIORITY_RANK, AppointmentRequest, Priority


class CallbackStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    SCHEDULED = "scheduled", "Scheduled"
    UNREACHABLE = "unreachable", "Unreachable"
    CLOSED = "closed", "Closed"


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


class Callback(models.Model):
    request = models.OneToOneField(AppointmentRequest, on_delete=models.CASCADE, related_name="callback")
    status = models.CharField(max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.NEW)
    # Derived from status (kept by save() and a constraint): one equality the
    # queue's index can start with, where "status IN (...)" would need a sort.
    is_open = models.BooleanField(default=True, editable=False)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    # Emergency, then urgent, then routine: alphabetical order would be accidental, so rank explicitly.
    priority_rank = models.PositiveSmallIntegerField(default=2, editable=False)
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

    history = HistoricalRecords(excluded_fields=["updated_at"])

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
            models.CheckConstraint(
                condition=models.Q(is_open=True, status__in=OPEN_CALLBACK_STATUSES)
                | (models.Q(is_open=False) & ~models.Q(status__in=OPEN_CALLBACK_STATUSES)),
                name="callback_is_open_matches_status",
            ),
        ]
        permissions = [
            ("work_callback", "Can claim, call, schedule and close callbacks"),
            ("supervise_callback", "Can reassign callbacks, see the dashboard and export"),
        ]

    def __str__(self) -> str:
        return f"Callback {self.request.reference}" if self.request_id else "Callback"

    def save(self, *args, **kwargs) -> None:
        self.priority_rank = PRIORITY_RANK[Priority(self.priority)]
        self.is_open = self.status in OPEN_CALLBACK_STATUSES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"priority": "priority_rank", "status": "is_open"}
            kwargs["update_fields"] = {*update_fields, *(derived[f] for f in update_fields if f in derived)}
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

    class Meta:
        ordering = ["made_at"]
        indexes = [models.Index(fields=["made_by", "made_at"], name="attempt_staff_idx")]

    def __str__(self) -> str:
        # On the clinic's clock, as every page says a moment (formatting imports no model).
        from requests_app.formatting import short_moment

        return f"{self.get_outcome_display()}, {short_moment(self.made_at)}"


class StaffProfile(models.Model):
    """Front-desk state of a staff member: on shift or not, and when last given a callback."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    on_shift = models.BooleanField(default=False)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

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
