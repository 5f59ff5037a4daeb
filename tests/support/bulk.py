"""Many requests and callbacks at once, for query-count tests and benchmarks."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from requests_app.models import AppointmentRequest, Callback, CallbackStatus, Channel, Priority
from requests_app.models.intake import new_reference


def bulk_callbacks(count: int, *, batch: int = 2000, seed: int = 7) -> None:
    """`count` requests with their callbacks, a mix of priorities, statuses and due times."""
    rng = random.Random(seed)
    now = timezone.now()
    made = 0
    while made < count:
        size = min(batch, count - made)
        requests = [
            AppointmentRequest(
                reference=new_reference(),
                first_name="Bulk",
                last_name=f"Patient{made + i}",
                phone=f"+1603555{(made + i) % 10000:04d}",
                email=f"bulk{made + i}@example.org",
                reason="Lower back pain after running.",
                consent=True,
                privacy_notice_version="2026-11",
                channel=Channel.API,
                priority=rng.choices([Priority.EMERGENCY, Priority.URGENT, Priority.ROUTINE], weights=[1, 9, 90])[0],
            )
            for i in range(size)
        ]
        AppointmentRequest.objects.bulk_create(requests, batch_size=500)
        created = AppointmentRequest.objects.order_by("-pk")[:size]
        callbacks = []
        for request in created:
            status = rng.choice(
                [CallbackStatus.NEW, CallbackStatus.NEW, CallbackStatus.IN_PROGRESS, CallbackStatus.CLOSED]
            )
            callbacks.append(
                Callback(
                    request=request,
                    priority=request.priority,
                    status=status,
                    closing_reason="declined" if status == CallbackStatus.CLOSED else "",
                    due_at=now + timedelta(minutes=rng.randint(-600, 3000)),
                    attempt_count=rng.randint(0, 3),
                )
            )
        Callback.objects.bulk_create(callbacks, batch_size=500)
        made += size
