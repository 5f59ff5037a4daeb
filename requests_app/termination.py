"""SIGTERM in a Celery pool process: hold it while a task writes down what it must not leave half-done.

Celery cancels running tasks with SIGTERM when the worker loses Redis
(`CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS`). Billiard's
handler in the pool process raises SystemExit at the next line of Python and
sets SIGTERM back to its default action, so a second SIGTERM (Celery can
send one per request it still counts as running in that process) ends the
process on the spot, in the middle of whatever clean-up the first one
started. Both uses here are short database writes.

The stop may also have come in the middle of a query. psycopg (PostgreSQL)
waits for the server's answer in Python, so the SystemExit leaves its
connection mid-conversation and unusable ("another command is already in
progress"); a clean-up write on it fails. `clean_up` then cancels that
query and writes on a new connection. A stop during a COMMIT can even
surface as a database error instead of SystemExit: `stopping()` tells.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable

# celery-types' billiard stubs lack terminate_handler_fired (billiard has it from 4.3.1 on: requirements.in).
from billiard.common import terminate_handler_fired  # type: ignore[attr-defined]
from django.db import Error as DatabaseError
from django.db import connection

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def termination_deferred():
    """Hold a SIGTERM until the block is done, then deliver it as it would have been."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only; a web thread has nothing to hold
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        # None: a handler installed outside Python, which cannot be put back; the default is.
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
        if received:
            os.kill(os.getpid(), signal.SIGTERM)


def clean_up(what: str, *steps: Callable[[], object]) -> None:
    """Run a task's clean-up after a stop: SIGTERM held until every step is done, each on a usable connection.

    Never raises. `what` names the work in the log (ids only, never patient data).
    """
    with termination_deferred():
        for step in steps:
            try:
                step()
            except DatabaseError:
                # Most likely the stop came mid-query and left the connection unusable. Cancel
                # that query first, so that it cannot commit after the step is done on a new one.
                with contextlib.suppress(Exception):
                    connection.connection.cancel_safe(timeout=2)
                with contextlib.suppress(Exception):
                    connection.close()
                try:
                    step()
                except Exception:  # broad on purpose: the clean-up never raises (the stop is already under way)
                    logger.exception("clean-up after a stopped task failed: %s", what)
            except Exception:  # as above, and the next step still runs
                logger.exception("clean-up after a stopped task failed: %s", what)


def stopping(error: BaseException) -> bool:
    """Is this exception the worker stopping the task?

    SystemExit is. So is any error raised after billiard's handler has run in
    this process: a stop during a COMMIT, for one, leaves Django's clean-up
    to fail on the busy connection, and that error replaces the SystemExit.
    """
    return isinstance(error, SystemExit | KeyboardInterrupt) or terminate_handler_fired()
