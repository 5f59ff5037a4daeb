"""SIGTERM in a Celery pool process: hold it while a task writes down what it must not leave half-done.

Celery cancels running tasks with SIGTERM when the worker loses Redis
(`CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS`). Billiard's
handler in the pool process raises SystemExit at the next line of Python and
sets SIGTERM back to its default action, so a second SIGTERM (Celery can
send one per request it still counts as running in that process) ends the
process on the spot, in the middle of whatever clean-up the first one
started. Both uses here are short database writes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading


@contextlib.contextmanager
def termination_deferred():
    """Hold a SIGTERM until the block is done, then deliver it as it would have been."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only; a web thread has nothing to hold
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if received:
            os.kill(os.getpid(), signal.SIGTERM)
