"""Models of the appointment-request app."""

from django.db import models


class Heartbeat(models.Model):
    """When the Celery worker last ran the beat's heartbeat task: proof both are alive."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
