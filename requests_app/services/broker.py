"""Publishing to Celery without ever failing or holding the caller: the outboxes cover a broker that is down.

Two ways Redis fails a publish. It refuses connections (stopped, restarting):
the publish learns it in a millisecond. Or it stops answering (swapping,
paused, a network path dropping packets): the kernel still accepts
connections, the one already in the pool stays open, and a publish waits for
an answer that does not come. With the transport's 3 s socket timeout and
Celery's ten pooled producers, a hung Redis held patients 8 s (median) to
17 s at 10 submissions a second: each publish waited 3 s, and the others
queued for a producer.

So publishes here go through producers of their own (not Celery's pool,
which the worker's options also shape) where every step gives up after
BROKER_PUBLISH_TIMEOUT: taking a producer from the pool, connecting, each
answer from Redis, with no retry. And a circuit breaker: once a publish
fails, the publishes of the next BROKER_CIRCUIT_OPEN_SECONDS in this process
are not tried at all; the caller treats them as refused, and the outbox
sends them once Redis answers. Then one publish tries (the others still
skip until it is done): success closes the circuit, failure opens it again.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time

from django.conf import settings
from kombu import Connection, pools

from clinic.celery import app

logger = logging.getLogger(__name__)


class CircuitBreaker:
    """Closed: every publish tries. Open for `open_seconds` after a failure: none do. Then one tries (half-open)."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._opened_at: float | None = None  # None: closed
        self._trying = False  # half-open: one publish is finding out

    def allows(self, open_seconds: float) -> bool:
        """May a publish try now? If this makes it the half-open trial, its outcome must be recorded."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trying or self._clock() - self._opened_at < open_seconds:
                return False
            self._trying = True
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._opened_at = None
            self._trying = False

    def failed(self) -> None:
        with self._lock:
            self._opened_at = self._clock()
            self._trying = False


_breakers: dict[str, CircuitBreaker] = {}  # by broker URL (one in production; the tests point at several)
_breakers_lock = threading.Lock()


def _breaker(url: str) -> CircuitBreaker:
    with _breakers_lock:
        return _breakers.setdefault(url, CircuitBreaker())


def _breakers_reset() -> None:
    """A forked child (a worker's pool process) starts closed, with locks no thread of its parent holds."""
    global _breakers_lock
    _breakers_lock = threading.Lock()
    _breakers.clear()


os.register_at_fork(after_in_child=_breakers_reset)


def publish(task, object_id: int, *, fallback: str) -> bool:
    """Queue `task(object_id)`. False, logged with ids only, if the broker did not take it or was not tried."""
    url = app.conf.broker_write_url
    breaker = _breaker(url)
    if not breaker.allows(settings.BROKER_CIRCUIT_OPEN_SECONDS):
        logger.warning("did not publish %s(%s): the broker failed moments ago; %s", task.name, object_id, fallback)
        return False
    try:
        with _producers(url).acquire(block=True, timeout=settings.BROKER_PUBLISH_TIMEOUT) as producer:
            task.apply_async(args=[object_id], producer=producer, retry=False)
    except Exception as error:  # noqa: BLE001
        # Broad on purpose: whatever stops the publish (kombu's, redis-py's or a socket's error, a pool with
        # no producer free in time), the row is committed and its outbox's sweep publishes it again; the
        # caller, answering a patient, must get False, never an exception. The log names the error's type.
        breaker.failed()
        cause = type(error.__cause__ or error.__context__ or error).__name__
        logger.warning(
            "could not publish %s(%s) (%s: %s); %s; not trying again for %s s",
            task.name,
            object_id,
            type(error).__name__,
            cause,
            fallback,
            settings.BROKER_CIRCUIT_OPEN_SECONDS,
        )
        return False
    breaker.succeeded()
    return True


def _producers(url: str) -> pools.ProducerPool:
    """This process's pool of publishing producers for `url`: each wait bounded by BROKER_PUBLISH_TIMEOUT.

    kombu keeps one pool per distinct connection (URL and transport options),
    drops them in a worker's pool process when it is forked, and drops them
    all at `kombu.pools.reset()` (as the tests do when they point Celery at
    another Redis).
    """
    return pools.producers[_connection(url, settings.BROKER_PUBLISH_TIMEOUT)]


@functools.lru_cache(maxsize=8)
def _connection(url: str, timeout: float) -> Connection:
    """The template of the pool's connections (never connected itself): Celery's, with every wait bounded."""
    return app.connection_for_write(
        url,
        connect_timeout=timeout,
        transport_options={
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "retry_on_timeout": False,
            "max_retries": 0,  # kombu's ensure_connection: the first failure is the answer
        },
    )
