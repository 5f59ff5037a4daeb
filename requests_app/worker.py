"""The Celery worker's consumer, tuned to find a broker that comes back within seconds.

When the worker loses Redis, Celery retries the connection with kombu's
default schedule: 2 s after the first failure, then 4, 6 ... and 30 s between
attempts once the outage has lasted a few minutes. Requests accepted during
the outage wait in the outbox for the worker, so that schedule alone could
hold them up to 30 s after Redis is back. This consumer retries after 1 s,
then 2 s, then every 3 s (kombu sleeps up to `interval_max` plus
`interval_start`): a connection attempt to Redis costs next to nothing.

It also hands back the work in the messages it held when the connection
was lost (requests_app.tasks.hand_back_held_messages): Celery drops the
ones it had not started, and Redis keeps them from everyone until the
visibility timeout.

Configured by `CELERY_WORKER_CONSUMER` in settings. It lives beside the outboxes it hands
work back to (requests_app.tasks, requests_app.services.pipeline and .notifications).
"""

from __future__ import annotations

import functools
import logging

from celery.worker.consumer import Consumer
from celery.worker.state import reserved_requests
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

# Whole seconds (kombu takes floats, its stubs say int).
RECONNECT_INTERVAL_START = 1
RECONNECT_INTERVAL_STEP = 1
RECONNECT_INTERVAL_MAX = 2


class PromptReconnectConsumer(Consumer):
    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=RECONNECT_INTERVAL_START,
            interval_step=RECONNECT_INTERVAL_STEP,
            interval_max=RECONNECT_INTERVAL_MAX,
        )
        return super().ensure_connected(conn)

    def on_connection_error_after_connected(self, exc):
        # Every message taken and not acknowledged: waiting for a pool process, or running.
        # Read before Celery clears them (on_close, right after this).
        held = [(request.name, list(request.args)) for request in tuple(reserved_requests)]
        super().on_connection_error_after_connected(exc)  # cancels the running ones first
        _hand_back(held)


def _hand_back(held: list[tuple[str, list]]) -> None:
    """Hand the held work back to the outboxes, from this (the worker's main) process.

    On a fresh database connection, closed afterwards: this process otherwise
    never uses the database, and the pool processes it forks must not
    inherit a connection. Never raises: the consumer goes on reconnecting.
    """
    # Not at import time: Celery loads this module by name (and beat imports its intervals), which must not
    # wait for Django's app registry; the tasks import the models.
    from requests_app.tasks import hand_back_held_messages  # noqa: PLC0415

    if not held:
        return
    try:
        close_old_connections()
        marked = hand_back_held_messages(held)
    except Exception:  # broad on purpose: the consumer must go on reconnecting; the sweeps find the rest
        logger.exception("could not hand back the work of %s held messages", len(held))
    else:
        logger.warning("broker connection lost: handed back the work of %s held messages", marked)
    finally:
        connections.close_all()
