"""The baselines every scenario is compared with, served by the same server and middleware.

`hello` is the cheapest page Django can serve. `create` is the least a
submission can do: parse the JSON body, write one row, publish one message
to the broker (Redis), answer 201; no real submission can get there, so it
is a floor. `peer` is the comparison a user would make: the submission as a
Django team would first write it, a DRF `CreateAPIView` over a
`ModelSerializer` of the request's six fields that saves the row (with its
history row, as the model keeps one) and queues the real pipeline task once
the row is committed. It does none of what the real submission adds
(throttle, triage, duplicate merge, idempotency, outbox, the expected call).
"""

from __future__ import annotations

import json
import uuid
from functools import lru_cache

import redis
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from requests_app.models import AppointmentRequest, Channel, Heartbeat
from requests_app.tasks import process_new_request

BENCH_QUEUE = "bench:create"


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    # One client (and its connection pool) per process, as Celery keeps one.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=3)


def hello(_request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


@csrf_exempt
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"detail": "Send a JSON object."}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"detail": "Send a JSON object."}, status=400)
    name = f"bench-{uuid.uuid4().hex}"
    Heartbeat.objects.create(name=name, beat_at=timezone.now())
    _redis(settings.REDIS_URL).lpush(BENCH_QUEUE, json.dumps({"name": name, "fields": len(data)}))
    return JsonResponse({"name": name}, status=201)


class PeerSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppointmentRequest
        fields = ["first_name", "last_name", "phone", "email", "reason", "consent"]

    def validate_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Consent is required.")
        return value


class PeerCreateView(generics.CreateAPIView):
    """The straightforward submission: validate, save, queue `process_new_request` on commit."""

    serializer_class = PeerSerializer
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        request = serializer.save(channel=Channel.API, privacy_notice_version=settings.CLINIC["PRIVACY_NOTICE_VERSION"])
        transaction.on_commit(lambda: process_new_request.delay(request.pk))


peer = PeerCreateView.as_view()
