"""What beat does for supervisors and patients on a schedule: escalations, reminders, the digest."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from requests_app.models import Callback
from requests_app.policy import supervisor_users
from requests_app.services.appointments import appointment_queue_reminder, appointments_due_reminders
from requests_app.services.notifications import notification_queue


def supervisor_emails() -> list[str]:
    return sorted(set(supervisor_users().exclude(email="").values_list("email", flat=True)))


def callbacks_escalate_overdue() -> int:
    """Flag every open callback past its due time, once, and tell the supervisors."""
    now = timezone.now()
    escalated = 0
    recipients = supervisor_emails()
    overdue_ids = list(
        Callback.objects.open()
        .overdue(now)
        .filter(escalated_at__isnull=True)
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )
    for callback_id in overdue_ids:
        with transaction.atomic():
            updated = Callback.objects.filter(pk=callback_id, escalated_at__isnull=True).update(escalated_at=now)
            if not updated:
                continue  # another beat run got there first
            callback = Callback.objects.select_related("request").get(pk=callback_id)
            for email in recipients:
                notification_queue(event="escalation", recipient=email, request=callback.request)
            escalated += 1
    return escalated


def appointments_send_reminders() -> int:
    """Queue the day-before reminder for every appointment booked for tomorrow. Returns how many are queued.

    Each at the appointment's latest time, once per time: one moved since
    its reminder went out gets another for the new time; one cancelled,
    missed or attended gets none.
    """
    tomorrow = timezone.localdate() + timedelta(days=1)
    return sum(
        appointment_queue_reminder(appointment_id=appointment_id)
        for appointment_id in appointments_due_reminders(day=tomorrow)
    )


def daily_digest_queue() -> int:
    """The morning summary for supervisors, once a day."""
    today = timezone.localdate().isoformat()
    with transaction.atomic():
        return sum(
            notification_queue(event="daily_digest", recipient=email, scope=today) is not None
            for email in supervisor_emails()
        )
