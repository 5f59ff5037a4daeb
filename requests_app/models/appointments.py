"""The appointment a callback booked, and what became of it: booked, cancelled, missed or attended.

A callback closes as "scheduled" when its first appointment is booked; the
appointment then lives on its own. Rescheduling changes its time in place
(same UID in the calendar file, a higher SEQUENCE), so "rescheduled" is a
booked appointment whose sequence is above 0. A callback can have several
appointments over time (the patient cancels, then calls to book again; a
missed appointment is rebooked) but at most one booked at once, and each
keeps its own record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models
from simple_history.models import HistoricalRecords

from requests_app.models.callbacks import Callback

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Did not come"
    ATTENDED = "attended", "Attended"


class Appointment(models.Model):
    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="appointments")
    # The calendar file's UID: fixed when booked, the same in every email about this appointment.
    uid = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    starts_at = models.DateTimeField()
    # Its length when it was booked or last moved (APPOINTMENT_MINUTES then).
    minutes = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=200)
    # For the patient: it goes into the emails.
    note = models.TextField(max_length=1000, blank=True)
    # The calendar file's SEQUENCE: 0 when booked, one more at each move and at the cancellation.
    sequence = models.PositiveIntegerField(default=0)
    # Set when a supervisor booked the current time outside the opening hours (staff only).
    hours_override_reason = models.TextField(max_length=1000, blank=True)
    # Why it was cancelled (staff only; never in an email).
    cancel_reason = models.TextField(max_length=1000, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When attendance or a no-show was recorded.
    outcome_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    # Set before a save, read by simple_history for the history row that save writes: why, and who
    # (also outside a web request). Declared here because simple_history ships no types.
    _change_reason: str
    _history_user: User

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "starts_at"], name="appointment_status_start_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["callback"],
                condition=models.Q(status=AppointmentStatus.BOOKED),
                name="appointment_one_booked_per_callback",
            ),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="appointment_has_a_length"),
            models.CheckConstraint(
                condition=~models.Q(status=AppointmentStatus.CANCELLED) | models.Q(cancelled_at__isnull=False),
                name="appointment_cancelled_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.uid} ({self.get_status_display().lower()})"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def was_rescheduled(self) -> bool:
        return self.is_booked and self.sequence > 0

    def snapshot(self, *, previous_starts_at: datetime | None = None) -> dict:
        """What an email about this appointment says, as it stands now (a notification keeps it as queued).

        Staff-only fields (the cancel and override reasons) are left out.
        """
        return {
            "id": self.pk,
            "uid": self.uid,
            "sequence": self.sequence,
            "status": self.status,
            "starts_at": self.starts_at.isoformat(),
            "minutes": self.minutes,
            "location": self.location,
            "note": self.note,
            "previous_starts_at": previous_starts_at.isoformat() if previous_starts_at else None,
        }
