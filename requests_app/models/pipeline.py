"""The transactional outbox between an accepted request and the Celery pipeline."""

from django.db import models

from requests_app.models.intake import AppointmentRequest


class PipelineStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PipelineRecord(models.Model):
    """Written in the request's own transaction, so no accepted request is ever without one.

    The after-commit publish is the fast path; beat re-publishes every record
    still pending after a minute (Redis was down, the worker died), and the
    task's idempotence makes a second delivery harmless.
    """

    request = models.ForeignKey(AppointmentRequest, on_delete=models.CASCADE, related_name="pipeline_records")
    status = models.CharField(max_length=10, choices=PipelineStatus.choices, default=PipelineStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="pipeline_status_created_idx")]

    def __str__(self) -> str:
        return f"pipeline #{self.pk} for request {self.request_id}: {self.status}"
