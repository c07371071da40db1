"""The embedded default for email: one `.eml` file per message in PAPERFEED_HOME/outbox/, which
any mail client opens. Django's file backend writes one log per connection instead."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def outbox_write(data: bytes, *, key: str = "") -> Path:
    """Store one message. The same `key` (a Message-ID) names the same file, so sending a
    message again replaces it rather than adding a copy. Written whole, then renamed."""
    folder = Path(settings.EMAIL_FILE_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = _UNSAFE.sub("-", key.strip("<>"))[:120] if key else f"{stamp}-{uuid.uuid4().hex}"
    path = folder / f"{name}.eml"
    partial = folder / f".{name}.{os.getpid()}.tmp"
    partial.write_bytes(data)
    os.replace(partial, path)
    return path


class EmailBackend(BaseEmailBackend):
    """Django's mail (password resets) into the outbox, one file per message."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            try:
                outbox_write(_crlf_bytes(message.message()))
            except OSError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent


def _crlf_bytes(message: Message) -> bytes:
    """The message as sent over SMTP, with CRLF line ends, and lines that begin with "From "
    left alone: what Django's own as_bytes(linesep="\r\n") writes."""
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False).flatten(message, linesep="\r\n")
    return out.getvalue()
