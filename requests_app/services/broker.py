"""Publishing to Celery without ever failing the caller: the outboxes cover a broker that is down."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def publish(task, object_id: int, *, fallback: str) -> bool:
    """Queue `task(object_id)`. False, logged with ids only, if the broker did not take it."""
    try:
        task.apply_async(args=[object_id])
    except Exception as error:
        logger.warning("could not publish %s(%s) (%s); %s", task.name, object_id, type(error).__name__, fallback)
        return False
    return True
