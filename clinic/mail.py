"""An email backend for development: one readable `.eml` file per message.

Django's own file backend appends every message of a connection to one
`.log` file; a file per message opens in any mail program and is easy to
find under `var/mail/`.

An email from the notification outbox is written under a name made from its
notification's id (`notification-00000042.eml`), taken from the Message-ID
the send gives it (`<...n42@clinic.local>`, requests_app.services.notifications).
The send marks the row sent just after this backend returns, so a worker
stopped in between sends the same notification again later: the second
write replaces the first file instead of adding a duplicate. Each file is
written under a temporary name and renamed into place, so a write cut short
never leaves half a message under an `.eml` name. Any other message (an
admin error report) is named by time and subject.

Only development uses this backend; over SMTP the send commits "sent" just
before the final "." of DATA instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

# The idstring notification_send puts into make_msgid(): "<time.pid.random.n42@domain>".
_NOTIFICATION_MESSAGE_ID = re.compile(r"\.n([0-9]{1,18})@[^>]*>\s*$")


def notification_id(message) -> int | None:
    """The outbox row a message was built from, read from its Message-ID; None for any other message."""
    match = _NOTIFICATION_MESSAGE_ID.search(str(message.extra_headers.get("Message-ID", "")))
    return int(match.group(1)) if match else None


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def file_name(self, message) -> str:
        number = notification_id(message)
        if number is not None:
            return f"notification-{number:08d}.eml"
        stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S-%f")
        subject = re.sub(r"[^A-Za-z0-9]+", "-", str(message.subject))[:60].strip("-").lower()
        return f"{stamp}-{subject or 'message'}.eml"

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            self._write(self.directory / self.file_name(message), message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent

    def _write(self, path: Path, content: bytes) -> None:
        """Write `content` to `path` in one step: a temporary file beside it, then a rename over it."""
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(content)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
