"""Per-client rate limits for public submissions, shared by the form and the API."""

from __future__ import annotations

import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle
from typing_extensions import override

from clinic.client_address import client_address, client_ip_hash, throttle_key

logger = logging.getLogger(__name__)


class AppointmentRequestThrottle(SimpleRateThrottle):
    """APPOINTMENT_REQUEST_RATE submissions per client IP (hashed before it reaches the cache)."""

    scope = "appointment_request"

    def get_rate(self) -> str:
        # Read at each request, so a changed setting applies without a restart of the class.
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def get_ident(self, request) -> str:
        # Not DRF's: it believes any X-Forwarded-For unless NUM_PROXIES is set (clinic.client_address).
        return throttle_key(client_address(request))

    @override
    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip_hash(self.get_ident(request))}

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            # The cache (Redis in production) is down or hangs: accepting a request
            # matters more than limiting it. (Anything else is a bug, and a 500 says so.)
            logger.warning("rate limit not checked: cache unavailable (%s)", type(error).__name__)
            return True


def client_ip(request) -> str:
    """The client's address, as far as the trusted proxies vouch for it (TRUSTED_PROXY_COUNT / _NETWORKS)."""
    return client_address(request)
