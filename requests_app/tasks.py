"""Celery tasks. Each takes ids, is idempotent, and calls a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from requests_app.models import Heartbeat


@shared_task
def heartbeat(name: str = "worker") -> None:
    """Record that a worker is consuming; scheduled by beat every minute."""
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})
