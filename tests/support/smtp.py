"""A real SMTP server for tests: aiosmtpd on a loopback port, counting what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.processes import free_port


class _Collector:
    """Keeps what the server accepted as raw bytes; parses each message once, when it is first asked for.

    Parsing on arrival would cost the server's event loop a millisecond or two
    per message, which the benchmark's SMTP sink cannot spare.
    """

    def __init__(self) -> None:
        self._raw: list[tuple[bytes, dict[str, str]]] = []
        self._parsed: list[EmailMessage] = []
        self.sessions = 0  # SMTP conversations begun (one EHLO each)
        self.lock = threading.Lock()
        self.holding = threading.Event()  # set: MAIL FROM waits for an answer until it is cleared

    def extra_headers(self) -> dict[str, str]:
        """Headers to add to a message as it is accepted (the benchmark stamps the time)."""
        return {}

    async def handle_EHLO(self, _server, session, _envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, _server, _session, envelope, address, mail_options):
        while self.holding.is_set():
            await asyncio.sleep(0.02)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        headers = {"X-Envelope-To": ", ".join(envelope.rcpt_tos), **self.extra_headers()}
        with self.lock:
            self._raw.append((envelope.original_content, headers))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            for raw, headers in self._raw[len(self._parsed) :]:
                message = email.message_from_bytes(raw, policy=email.policy.default)
                for name, value in headers.items():
                    message[name] = value
                self._parsed.append(message)
            return list(self._parsed)


class SmtpSink:
    """An SMTP server that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.collector = _Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def hold(self) -> None:
        """Keep every sender waiting at MAIL FROM (before anything is committed) until release()."""
        self.collector.holding.set()

    def release(self) -> None:
        self.collector.holding.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages()

    @property
    def sessions(self) -> int:
        """How many SMTP conversations clients have begun (EHLO), across stops and starts."""
        with self.collector.lock:
            return self.collector.sessions

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def settings_env(self) -> dict[str, str]:
        """Environment for a worker process that should send here."""
        return {
            "EMAIL_USE_SMTP": "true",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": "5",
        }
