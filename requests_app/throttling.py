"""Per-client rate limits for public submissions, shared by the form and the API."""

from __future__ import annotations

import logging
import secrets
import weakref

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle
from typing_extensions import override

from clinic.client_address import client_address, client_ip_hash, throttle_key

logger = logging.getLogger(__name__)

# DRF's sliding window (every accepted submission of the last `duration` seconds counts), done in
# Redis in one round trip and atomically: forget the entries that left the window, count the rest,
# and add this one if there is room. Returns {allowed, count, oldest timestamp in the window}.
_SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
if count < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
    redis.call('PEXPIRE', KEYS[1], math.ceil(ARGV[2] * 1000))
    return {1, count + 1, ARGV[1]}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, count, oldest[2]}
"""


class AppointmentRequestThrottle(SimpleRateThrottle):
    """APPOINTMENT_REQUEST_RATE submissions per client IP (hashed before it reaches the cache)."""

    scope = "appointment_request"
    # Set by SimpleRateThrottle.__init__ from the rate (not in djangorestframework-stubs).
    num_requests: int
    duration: int

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
            backend = caches[DEFAULT_CACHE_ALIAS]  # `self.cache` is a proxy to it
            if isinstance(backend, RedisCache) and self.rate is not None:
                return self._allow_in_redis(backend, request, view)
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            # The cache (Redis in production) is down or hangs: accepting a request
            # matters more than limiting it. (Anything else is a bug, and a 500 says so.)
            logger.warning("rate limit not checked: cache unavailable (%s)", type(error).__name__)
            return True

    def _allow_in_redis(self, backend: RedisCache, request, view) -> bool:
        """DRF's rule in one atomic round trip (DRF reads the list of times, then writes it back: two, racing).

        Kept under a key of its own (a sorted set, where DRF keeps a pickled
        list): each accepted submission is a member scored by its time.
        """
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        key = backend.make_and_validate_key(f"{self.key}:window")
        member = f"{self.now!r}:{secrets.token_hex(4)}"
        allowed, count, oldest = _sliding_window(backend)(
            keys=[key], args=[repr(self.now), self.duration, self.num_requests, member]
        )
        # What DRF's wait() reads: how many submissions are in the window, and the oldest one's time.
        self.history = [self.now] * (int(count) - 1) + [float(oldest)]
        return bool(allowed)


# The script, bound to a client of the cache's own connection pool: made once per pool (a process has
# one), not a client and a script hash for every submission.
_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _sliding_window(backend: RedisCache):
    client = backend._cache  # type: ignore[attr-defined]  # django-stubs: RedisCache._cache (private) is not in them
    pool = client._get_connection_pool(write=True)
    script = _scripts.get(pool)
    if script is None:
        script = _scripts[pool] = client.get_client(write=True).register_script(_SLIDING_WINDOW)
    return script


def client_ip(request) -> str:
    """The client's address, as far as the trusted proxies vouch for it (TRUSTED_PROXY_COUNT / _NETWORKS)."""
    return client_address(request)
