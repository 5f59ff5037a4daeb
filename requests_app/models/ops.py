"""Operational records: liveness and what the retention job did."""

from django.db import models


class Heartbeat(models.Model):
    """When the Celery worker last ran the beat's heartbeat task: proof both are alive."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class RetentionRun(models.Model):
    """One run of the retention job: what it anonymized and under which cut-off."""

    ran_at = models.DateTimeField(auto_now_add=True)
    cutoff = models.DateTimeField()
    anonymized_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d}: {self.anonymized_count} anonymized"
