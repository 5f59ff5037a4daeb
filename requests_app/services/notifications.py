"""The notification outbox: queue an email once, send it once.

A notification is a row keyed by (event, object, recipient), written in the
transaction of whatever caused it; queuing it again finds the row and does
nothing. A task sends one row:

1. it claims the row (pending -> sending) with a conditional UPDATE, so two
   workers never send the same row;
2. over SMTP, it transmits the whole message but the final ".", commits
   "sent", and only then sends the "." that makes the server accept it. A
   worker killed before that commit leaves a half-sent message the server
   throws away, and a row in "sending" that the sweep hands back to pending;
   a worker killed after it has already marked the row sent. So a crash can
   neither lose an email nor deliver it twice, except in the microseconds
   between the commit and one socket write.
3. an SMTP error puts the row back to pending with the error and a backoff;
   after MAX_ATTEMPTS it is failed, shown in the admin with a retry action.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import smtplib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from requests_app.emails import build_email
from requests_app.models import AppointmentRequest, Notification, NotificationStatus
from requests_app.services.broker import publish
from requests_app.termination import clean_up, stopping, termination_deferred
from requests_app.validation import plain_email_address

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 60 * 60
# A row "sending" for longer than any task may run belonged to a worker that died.
STALE_SENDING_AFTER = timedelta(minutes=5)
# A kept SMTP connection is used again only within this many idle seconds
# (servers drop idle clients after 30 s to 5 minutes), and for at most this
# many messages.
SMTP_REUSE_IDLE_SECONDS = 20
SMTP_MAX_MESSAGES_PER_CONNECTION = 100
# A pending row not picked up within this (the broker lost its message, or
# the process died between the commit and the publish). A row whose publish
# the broker refused, or whose send was cancelled, is marked (`unqueued_at`)
# and goes out at the next sweep instead.
STALE_PENDING_AFTER = timedelta(minutes=2)
# How far back a refused publish suspects the publishes that "succeeded" into a broker as it died.
PUBLISHED_INTO_A_DYING_BROKER = timedelta(seconds=10)


class SendError(Exception):
    """The email could not be handed to the mail server this time."""


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff with full jitter, capped: 30 s, 60 s, 120 s ... at most an hour."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return random.randint(ceiling // 2, ceiling)  # noqa: S311 (jitter, not security)


def _key(event: str, object_id, scope: str, recipient: str) -> str:
    return f"{event}:{object_id}:{scope}:{recipient.strip().lower()}"


def notification_queue(
    *,
    event: str,
    recipient: str,
    request: AppointmentRequest | None = None,
    scope: str = "",
    context: dict | None = None,
) -> Notification | None:
    """Queue one email; a second call with the same event, object and recipient does nothing.

    `scope` distinguishes repeatable events (an escalation per due time, a
    digest per day). The send task is published after the commit.
    """
    if not recipient:
        return None
    key = _key(event, request.pk if request else "-", scope, recipient)
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={"event": event, "recipient": recipient.strip(), "request": request, "context": context or {}},
    )
    if created:
        notification_publish_on_commit(notification.pk)
    return notification


def notification_queue_for_request(*, request: AppointmentRequest, emails: list[tuple[str, str]]) -> int:
    """Queue several (event, recipient) emails about one request, as `notification_queue` would each.

    One read and one insert, rather than a lookup and a savepoint per email:
    for the pipeline, which queues two or more for every request. The caller
    holds the request's row lock, so no other transaction is queuing the
    same keys; if one did, the insert fails and the task runs again. Returns
    how many were new.
    """
    wanted = {
        _key(event, request.pk, "", recipient): (event, recipient.strip()) for event, recipient in emails if recipient
    }
    existing = set(Notification.objects.filter(key__in=wanted).values_list("key", flat=True))
    new = Notification.objects.bulk_create(
        Notification(key=key, event=event, recipient=recipient, request=request)
        for key, (event, recipient) in wanted.items()
        if key not in existing
    )
    for notification in new:
        notification_publish_on_commit(notification.pk)
    return len(new)


def notification_publish(notification_id: int) -> bool:
    """Queue the send task. False if it did not go: the row is then marked for the next sweep.

    It does not go if the broker refuses it or does not answer in time, or if a publish failed moments
    ago (the circuit breaker in requests_app/services/broker.py does not try it then)."""
    from requests_app.tasks import send_notification  # noqa: PLC0415 (tasks call services: see tests/test_layers.py)

    if publish(send_notification, notification_id, fallback="the sweep will re-queue it"):
        return True
    try:
        now = timezone.now()
        Notification.objects.filter(pk=notification_id, unqueued_at__isnull=True).update(unqueued_at=now)
        # A publish made just before this refusal may have gone into the dying connection and been
        # lost without an error: those rows are queued again too (a second task finds them sent).
        Notification.objects.filter(
            status=NotificationStatus.PENDING,
            attempts=0,
            unqueued_at__isnull=True,
            created_at__gte=now - PUBLISHED_INTO_A_DYING_BROKER,
        ).update(unqueued_at=now)
    except DatabaseError:
        # The row stays pending all the same: the sweep finds it once it is stale.
        logger.warning("could not mark notification %s as unpublished", notification_id)
    return False


def notification_publish_on_commit(notification_id: int) -> None:
    transaction.on_commit(lambda: notification_publish(notification_id))


def _claim(notification_id: int, claimed_at) -> bool:
    """Pending -> sending, stamped `claimed_at`: the stamp tells this claim from any later one."""
    claimed = Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENDING, sending_since=claimed_at, attempts=F("attempts") + 1
    )
    return claimed == 1


def notification_mark_unqueued(*, request_id: int) -> None:
    """The request's emails not yet tried may have lost their publish: the next sweep queues them."""
    Notification.objects.filter(
        request_id=request_id, status=NotificationStatus.PENDING, attempts=0, unqueued_at__isnull=True
    ).update(unqueued_at=timezone.now())


def notification_mark_message_lost(*, notification_id: int) -> None:
    """The message that would send this row is lost (a worker held it when it lost Redis): the next sweep queues it.

    A row being sent or already sent is left alone; one waiting for a retry
    is queued when that retry is due.
    """
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING, unqueued_at__isnull=True).update(
        unqueued_at=timezone.now()
    )


def _hand_back(notification_id: int, claimed_at) -> None:
    """A send cut short by the worker stopping: the next sweep queues the row again at once.

    This task's own claim (its stamp) goes back to pending. If the stop came
    before the claim, a row still pending is marked all the same: the message
    that brought this task is gone with it. A row another worker has claimed
    is left alone.
    """
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING, sending_since=claimed_at).update(
        status=NotificationStatus.PENDING, sending_since=None, unqueued_at=timezone.now()
    )
    notification_mark_message_lost(notification_id=notification_id)


def _mark_sent(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), sending_since=None, last_error=""
    )


@dataclass
class _SmtpSession:
    backend: SmtpBackend
    server: tuple
    pid: int
    messages: int = 0
    last_used: float = 0.0

    def close(self) -> None:
        # The message is already accepted or already failed: a failing QUIT changes nothing.
        with contextlib.suppress(Exception):
            self.backend.close()

    @property
    def connection(self) -> smtplib.SMTP:
        """The open SMTP connection. A session is used only between its backend's open() and close() or drop()."""
        connection = self.backend.connection
        if connection is None:
            raise SendError("the SMTP connection is already closed")
        return connection

    def drop(self) -> None:
        """Close the socket without a word: a message cut short before its "." is thrown away by the server."""
        if self.backend.connection is not None:
            with contextlib.suppress(Exception):
                self.backend.connection.close()
        self.backend.connection = None


# The SMTP connection a worker process keeps between sends (one per thread).
_kept = threading.local()


def _smtp_server() -> tuple:
    return (
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
    )


def _smtp_session() -> tuple[_SmtpSession, bool]:
    """An open SMTP connection: the one kept from the last send if it is fresh, else a new one. (session, reused)

    Keeping it spares each email a TCP connection, the greeting, EHLO, a TLS
    handshake in production, and QUIT. A connection idle for longer than
    SMTP_REUSE_IDLE_SECONDS (servers drop idle clients), carried over a fork,
    or opened to another server is not reused.
    """
    kept: _SmtpSession | None = getattr(_kept, "session", None)
    _kept.session = None
    if kept is not None:
        fresh = time.monotonic() - kept.last_used < SMTP_REUSE_IDLE_SECONDS
        if kept.pid == os.getpid() and kept.server == _smtp_server() and fresh:
            return kept, True
        if kept.pid == os.getpid():  # never talk on a socket the parent process owns
            kept.close()
    backend = get_connection()
    assert isinstance(backend, SmtpBackend)
    backend.open()  # raises if it cannot connect (fail_silently is off)
    session = _SmtpSession(backend=backend, server=_smtp_server(), pid=os.getpid())
    # The final "." is a small write of its own: without this, Nagle's
    # algorithm holds it for the server's delayed ACK (about 40 ms an email).
    sock = session.connection.sock
    if sock is not None:  # connected by open(): always
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return session, False


def _smtp_begin(connection: smtplib.SMTP, from_address: str, recipients: list[str]) -> None:
    """MAIL, RCPT and DATA: everything before the message itself."""
    connection.ehlo_or_helo_if_needed()
    code, reply = connection.mail(from_address)
    if code != 250:
        raise SendError(f"MAIL FROM refused: {code}")
    accepted = [r for r in recipients if connection.rcpt(r)[0] in (250, 251)]
    if not accepted:
        raise SendError("every recipient was refused")
    connection.putcmd("data")
    code, reply = connection.getreply()
    if code != 354:
        raise SendError(f"DATA refused: {code}")


def _smtp_send_with_commit(message: EmailMultiAlternatives, before_accept: Callable[[], None]) -> None:
    """Send over SMTP, calling `before_accept` just before the final "." of DATA.

    On a kept connection that fails before the message is sent (the server
    dropped it), the send starts again once on a new connection: nothing has
    been committed yet. After a success the connection is kept for the next
    send; after any failure it is closed.
    """
    encoding = message.encoding or settings.DEFAULT_CHARSET
    from_address = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    payload = message.message().as_bytes(linesep="\r\n")
    body = smtplib.bCRLF.join((b"." + line if line.startswith(b".") else line) for line in payload.split(smtplib.bCRLF))
    if not body.endswith(smtplib.bCRLF):
        body += smtplib.bCRLF

    session, reused = _smtp_session()
    try:
        try:
            _smtp_begin(session.connection, from_address, recipients)
        except (smtplib.SMTPException, SendError, OSError):
            if not reused:
                raise
            session.close()
            session, reused = _smtp_session()
            _smtp_begin(session.connection, from_address, recipients)
        connection = session.connection
        connection.send(body)
        with termination_deferred():
            before_accept()
            connection.send(b"." + smtplib.bCRLF)
        code, reply = connection.getreply()
        if code != 250:
            raise SendError(f"message refused after DATA: {code}")
    except (SystemExit, KeyboardInterrupt):
        session.drop()  # the worker is stopping this task: no QUIT round trip before the clean-up
        raise
    except BaseException:
        session.close()
        raise
    session.messages += 1
    session.last_used = time.monotonic()
    if session.messages < SMTP_MAX_MESSAGES_PER_CONNECTION:
        _kept.session = session
    else:
        session.close()


def notification_send(*, notification_id: int) -> str:
    """Send one queued notification. Returns what happened: sent, skipped, failed or retry.

    If the worker stops the task half-way (Celery cancels running tasks with
    SIGTERM when it loses Redis; the pool process raises SystemExit), the
    row goes back to pending for the next sweep, rather than waiting in
    "sending" until it counts as stale.
    """
    claimed_at = timezone.now()
    sent = False

    def commit_sent() -> None:
        nonlocal sent
        _mark_sent(notification_id)
        sent = True

    try:
        # The claim is inside: a stop arriving as its UPDATE returns must hand it back too.
        if not _claim(notification_id, claimed_at):
            return "skipped"
        return _send_claimed(notification_id, commit_sent)
    except BaseException as error:
        if stopping(error) and not sent:
            clean_up(f"notification {notification_id}", lambda: _hand_back(notification_id, claimed_at))
        raise


def _send_claimed(notification_id: int, commit_sent: Callable[[], None]) -> str:
    notification = Notification.objects.select_related("request").get(pk=notification_id)
    try:
        # An address that would break a header (a line separator in a quoted local part, stored before
        # addresses were checked) can never be sent: fail at once, with the reason, not after 8 tries.
        plain_email_address(notification.recipient)
        message = build_email(notification)
    except Exception as error:
        # Broad on purpose: whatever breaks the building (a template, the data, the address), retrying
        # will not help and a person must look; the row says why and the log has the traceback.
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.FAILED, sending_since=None, last_error=f"could not build: {error}"[:500]
        )
        logger.exception("notification %s could not be built", notification_id)
        return "failed"
    message.extra_headers["Message-ID"] = make_msgid(idstring=f"n{notification_id}", domain="clinic.local")

    try:
        if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
            _smtp_send_with_commit(message, commit_sent)
        else:
            message.send()
            commit_sent()
    except Exception as error:
        # Broad on purpose: any failure to send (the server, the network, the backend) is an attempt
        # that failed, retried with backoff up to the cap; it goes on as a SendError. Even when the
        # row was already marked sent, a failure of the final step means the server did not confirm
        # it: count it as not sent, so that it is not lost.
        attempts = Notification.objects.values_list("attempts", flat=True).get(pk=notification_id)
        final = attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            status=NotificationStatus.FAILED if final else NotificationStatus.PENDING,
            sending_since=None,
            sent_at=None,
            next_attempt_at=None if final else timezone.now() + timedelta(seconds=backoff_seconds(attempts)),
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.warning("notification %s not sent (attempt %s): %s", notification_id, attempts, type(error).__name__)
        if final:
            return "failed"
        raise SendError(str(error)) from error
    return "sent"


def notification_retry(*, notification_id: int) -> bool:
    """Put a failed notification back in the queue (the admin's retry action)."""
    updated = Notification.objects.filter(pk=notification_id, status=NotificationStatus.FAILED).update(
        status=NotificationStatus.PENDING, attempts=0, next_attempt_at=None, last_error=""
    )
    if updated:
        notification_publish_on_commit(notification_id)
    return bool(updated)


def notification_sweep() -> int:
    """Re-queue rows that no task is going to send. Returns how many were queued.

    Those whose publish the broker refused (at once), those stuck in sending,
    and those pending and not picked up for STALE_PENDING_AFTER.
    """
    now = timezone.now()
    Notification.objects.filter(status=NotificationStatus.SENDING, sending_since__lt=now - STALE_SENDING_AFTER).update(
        status=NotificationStatus.PENDING, sending_since=None, next_attempt_at=None
    )
    refused = Q(unqueued_at__isnull=False) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stale = Q(created_at__lt=now - STALE_PENDING_AFTER) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - STALE_PENDING_AFTER)
    )
    due = (
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .filter(refused | stale)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    queued: list[int] = []
    for notification_id in due:
        if not notification_publish(notification_id):
            break  # the broker is still down: the next sweep tries again
        queued.append(notification_id)
    Notification.objects.filter(pk__in=queued, unqueued_at__isnull=False).update(unqueued_at=None)
    return len(queued)
