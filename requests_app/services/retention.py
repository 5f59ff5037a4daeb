"""Retention: personal data of closed requests is anonymized after a configurable period."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from requests_app.models import (
    Appointment,
    AppointmentRequest,
    CallAttempt,
    Callback,
    Notification,
    RequestNote,
    RequestStatus,
    RetentionRun,
)

ANONYMIZED_NAME = "Anonymized"
ANONYMIZED_EMAIL = "anonymized@invalid"
ANONYMIZED_PHONE = "+10000000000"


def retention_cutoff(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    months = settings.RETENTION_MONTHS
    year, month = divmod(now.month - 1 - months, 12)
    day = min(now.day, 28)
    return now.replace(year=now.year + year, month=month + 1, day=day)


def requests_anonymize_expired(*, now: datetime | None = None, batch_size: int = 500) -> RetentionRun:
    """Strip personal data from requests closed longer ago than the retention period (and old merged repeats).

    What stays: priority, red-flag codes (not the words or answers behind them), status, channel, dates, source
    article, the callback's timings and outcomes. What goes: names, contact
    details, free text, notes, call notes, and the history rows that held them.
    """
    cutoff = retention_cutoff(now)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                # Only the request rows are locked: the callback is joined (outer, for the merged ones) to filter.
                AppointmentRequest.objects.select_for_update(of=("self",))
                .filter(anonymized_at__isnull=True)
                .filter(
                    # Kept for the period after the work on it ended, not after it arrived: a request
                    # closed yesterday keeps its details however long ago it came in.
                    Q(status=RequestStatus.CLOSED, callback__closed_at__lt=cutoff)
                    # A merged repeat was finished the moment it arrived.
                    | Q(status=RequestStatus.MERGED, created_at__lt=cutoff)
                )
                # An appointment booked again long after the callback closed is activity too.
                .exclude(callback__appointments__starts_at__gte=cutoff)
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            stamp = timezone.now()
            AppointmentRequest.objects.filter(pk__in=ids).update(
                first_name=ANONYMIZED_NAME,
                last_name="",
                phone=ANONYMIZED_PHONE,
                email=ANONYMIZED_EMAIL,
                reason="",
                # The evidence quotes the patient's words; the answers are health data too.
                triage_evidence=[],
                screening={},
                insurance_note="",
                referrer="",
                symptoms=[],
                best_time_slots=[],
                best_days=[],
                ip_hash="",
                anonymized_at=stamp,
            )
            RequestNote.objects.filter(request_id__in=ids).delete()
            CallAttempt.objects.filter(callback__request_id__in=ids).update(note="")
            Callback.objects.filter(request_id__in=ids).update(appointment_note="")
            Appointment.objects.filter(callback__request_id__in=ids).update(
                note="", cancel_reason="", hours_override_reason=""
            )
            Notification.objects.filter(request_id__in=ids).delete()
            AppointmentRequest.history.filter(id__in=ids).delete()
            callback_ids = Callback.objects.filter(request_id__in=ids).values_list("pk", flat=True)
            CallAttempt.history.filter(callback_id__in=callback_ids).delete()
            Appointment.history.filter(callback_id__in=callback_ids).delete()
            Callback.history.filter(request_id__in=ids).delete()
            total += len(ids)
    return RetentionRun.objects.create(cutoff=cutoff, anonymized_count=total)
