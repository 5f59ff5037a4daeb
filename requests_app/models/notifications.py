"""The notification outbox: one row per (event, recipient), sent at most once."""

from django.db import models

from requests_app.models.intake import AppointmentRequest


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    # `<event>:<object id>:<recipient>`; queuing the same notification twice stores one row.
    key = models.CharField(max_length=255, unique=True)
    event = models.CharField(max_length=40)
    recipient = models.EmailField()
    request = models.ForeignKey(
        AppointmentRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # Ids and values the email's template needs; never free text from the patient.
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a pending row is next due to be tried (after a failure, with backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set when no task is left to send this row: the broker refused the
    # publish (Redis was down), or the worker cancelled the send half-way.
    # The next sweep queues it again without waiting for it to go stale.
    unqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_status_idx")]

    def __str__(self) -> str:
        return self.key
