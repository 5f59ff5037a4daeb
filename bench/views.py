"""The baselines every scenario is compared with, served by the same server and middleware.

`hello` is the cheapest page Django can serve. `create` is the least a
submission can do: parse the JSON body, write one row, publish one message
to the broker (Redis), answer 201.
"""

from __future__ import annotations

import json
import uuid
from functools import lru_cache

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from requests_app.models import Heartbeat

BENCH_QUEUE = "bench:create"


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    # One client (and its connection pool) per process, as Celery keeps one.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=3)


def hello(request: HttpRequest) -> HttpResponse:
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
