"""Health endpoints for load balancers and orchestrators.

`/healthz`: the process answers. `/readyz`: it can do its work, meaning
the database and the Celery broker both answer; otherwise 503 naming the
failing part, within about two seconds each (see the timeouts below).
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(_request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


# Seconds /readyz waits for a new database connection (psycopg's least): a probe
# must answer before the orchestrator's own timeout, not at the requests' connect_timeout.
READY_DATABASE_CONNECT_TIMEOUT = 2


def _database_ok() -> bool:
    """A new connection answers `SELECT 1`: one this process already holds may still look open.

    A connection of its own, with a short connect timeout on PostgreSQL, so a
    database that does not answer costs the probe two seconds at most; and
    closed at once, so it never takes a request's place.
    """
    probe = connection.copy()
    if probe.vendor == "postgresql":
        probe.settings_dict.setdefault("OPTIONS", {})["connect_timeout"] = READY_DATABASE_CONNECT_TIMEOUT
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001
        # Broad on purpose: whatever fails (a refused connection, a bad setting, a driver error), the
        # probe's answer is 503 naming the database, not a 500 that names nothing.
        return False
    finally:
        probe.close()


def _broker_ok() -> bool:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001
        return False  # broad on purpose, as for the database: 503 naming the broker


@never_cache
def readyz(_request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    failing = [name for name, ok in checks.items() if not ok]
    body: dict[str, object] = {"status": "ready" if not failing else "unavailable", "checks": checks}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
