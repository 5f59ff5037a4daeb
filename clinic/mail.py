"""An email backend for development: one readable `.eml` file per message.

Django's own file backend appends every message of a connection to one
`.log` file; a file per message, named by time and subject, opens in any
mail program and is easy to find under `var/mail/`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S-%f")
            subject = re.sub(r"[^A-Za-z0-9]+", "-", str(message.subject))[:60].strip("-").lower()
            path = self.directory / f"{stamp}-{subject or 'message'}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent
