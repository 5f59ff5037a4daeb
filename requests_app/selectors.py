"""Reads for the queue, the dashboard and the digest. No writes here."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from requests_app.models import AppointmentRequest, CallAttempt, Callback, CallbackStatus, Priority
from requests_app.models.callbacks import OPEN_CALLBACK_STATUSES


def queue_summary() -> dict[str, int]:
    """Open, overdue, urgent and unassigned callbacks now, and requests in the last day: one query."""
    now = timezone.now()
    open_q = Q(status__in=OPEN_CALLBACK_STATUSES)
    counts = Callback.objects.filter(open_q).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        urgent=Count("pk", filter=Q(priority=Priority.URGENT)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
    )
    counts["last_24h"] = AppointmentRequest.objects.filter(created_at__gte=now - timedelta(hours=24)).count()
    return counts


def callback_performance(*, days: int) -> dict:
    """Median time to first call attempt, and the share of callbacks reached within their deadline."""
    since = timezone.now() - timedelta(days=days)
    rows = list(
        Callback.objects.filter(created_at__gte=since)
        .annotate(to_first=ExpressionWrapper(F("first_attempt_at") - F("created_at"), output_field=DurationField()))
        .values_list("to_first", "first_attempt_at", "due_at")
    )
    now = timezone.now()
    waits = [to_first for to_first, first, _ in rows if to_first is not None]
    # Only callbacks already called or already due can be judged; one not yet
    # called and not yet due is neither on time nor late.
    judged = [(first, due) for _, first, due in rows if first is not None or due < now]
    on_time = sum(1 for first, due in judged if first is not None and first <= due)
    return {
        "days": days,
        "callbacks": len(rows),
        "median_to_first_attempt": median(waits) if waits else None,
        "within_deadline_share": (on_time / len(judged)) if judged else None,
    }


def requests_by_source_article(*, days: int = 30) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    return list(
        AppointmentRequest.objects.filter(created_at__gte=since)
        .values("source_article__title")
        .annotate(
            requests=Count("pk"),
            scheduled=Count("pk", filter=Q(callback__status=CallbackStatus.SCHEDULED)),
        )
        .order_by("-requests")
    )


def attempts_by_staff(*, days: int = 30) -> list[dict]:
    since = timezone.now() - timedelta(days=days)
    return list(
        CallAttempt.objects.filter(made_at__gte=since, made_by__isnull=False)
        .values("made_by__username", "made_by__first_name", "made_by__last_name")
        .annotate(
            attempts=Count("pk"),
            scheduled=Count("pk", filter=Q(outcome="reached_scheduled")),
        )
        .order_by("-attempts")
    )


def open_callbacks_by_staff() -> list[dict]:
    """Who holds how many open callbacks, and how many of those are overdue: who is behind."""
    now = timezone.now()
    return list(
        Callback.objects.filter(status__in=OPEN_CALLBACK_STATUSES)
        .values("assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by("-overdue", "-open")
    )


def daily_counts(*, days: int = 30) -> list[dict]:
    """Requests received and appointments scheduled per day, oldest first, days without any included."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    received = dict(
        AppointmentRequest.objects.filter(created_at__date__gte=first)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    scheduled = dict(
        Callback.objects.filter(status=CallbackStatus.SCHEDULED, closed_at__date__gte=first)
        .annotate(day=TruncDate("closed_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        {"day": day, "requests": received.get(day, 0), "scheduled": scheduled.get(day, 0)}
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]
