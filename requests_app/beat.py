"""Celery beat's scheduler, tuned like the worker (requests_app/worker.py) to find a broker back within seconds.

Beat connects to Redis when it first sends (its producer is made once, then
kept). If Redis is down at that moment (beat started, or restarted, during
an outage) it retries with kombu's default schedule: 2 s, then 4, 6 ... up
to 30 s between attempts, sending nothing meanwhile. The outboxes depend on
beat to re-publish what the web and the worker could not, so that could add
14 s or more to the recovery. This scheduler retries after 1 s, then 2 s,
then every 3 s. Once connected, a send that fails during an outage is
simply tried again at the entry's next tick (every 10 s for the outboxes).

Configured by `CELERY_BEAT_SCHEDULER` in settings.
"""

from __future__ import annotations

from celery.beat import PersistentScheduler
from celery.utils.log import get_logger

from requests_app.worker import RECONNECT_INTERVAL_MAX, RECONNECT_INTERVAL_START, RECONNECT_INTERVAL_STEP

logger = get_logger(__name__)


class PromptReconnectScheduler(PersistentScheduler):
    def _ensure_connected(self):
        def log_retry(exc, interval):
            logger.error("beat: Connection error: %s. Trying again in %s seconds...", exc, interval)

        return self.connection.ensure_connection(
            log_retry,
            self.app.conf.broker_connection_max_retries,
            interval_start=RECONNECT_INTERVAL_START,
            interval_step=RECONNECT_INTERVAL_STEP,
            interval_max=RECONNECT_INTERVAL_MAX,
        )
