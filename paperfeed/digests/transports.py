"""How a message leaves: over SMTP when PAPERFEED_SMTP_URL is set, else into the outbox folder.
One class per backend on a small base, as in Django's mail backends; the sender (sending.py) and
the confirmation email (services.py) see only `Transport` and the errors below."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from paperfeed.digests.outbox import outbox_write
from paperfeed.digests.rendering import sender_address
from paperfeed.digests.smtpurl import SmtpConfig

MESSAGES_PER_CONNECTION = 1000  # then a fresh connection, as many servers expect


class TransientError(Exception):
    """Try again later: a 4xx reply, a dropped connection, a timeout."""


class PermanentError(Exception):
    """The server refused this message for good (5xx): a hard bounce."""


class Unreachable(TransientError):
    """No connection to the mail server (down, refused, TLS or login failed)."""


class Transport:
    """A way to send messages: `send` hands one over (raising TransientError or
    PermanentError when it cannot), `close` lets go of what sending opened."""

    @property
    def eight_bit(self) -> bool:
        """Whether messages may carry 8-bit bodies (8BITMIME)."""
        return False

    def send(self, recipient: str, data: bytes, *, key: str = "", eight_bit: bool = False) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SmtpTransport(Transport):
    """One SMTP connection, opened on first use and reused for many messages."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.client: smtplib.SMTP | None = None
        self.count = 0

    @property
    def eight_bit(self) -> bool:
        """Whether the server takes 8-bit bodies (8BITMIME), asked once per connection."""
        try:
            return bool(self._connected().has_extn("8bitmime"))
        except TransientError:  # send() will say why
            return False

    def send(self, recipient: str, data: bytes, *, key: str = "", eight_bit: bool = False) -> None:
        try:
            client = self._connected()
            if eight_bit and not client.has_extn("8bitmime"):  # a new connection, another server
                raise TransientError("the server no longer takes 8-bit messages")
            options = ["BODY=8BITMIME"] if eight_bit else []
            client.sendmail(sender_address(), [recipient], data, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            self._raise(code, reply)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self._raise(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:
            self.close()
            self._raise(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:  # dropped, refused, timed out
            self.close()
            raise TransientError(f"connection: {exc or type(exc).__name__}") from exc
        self.count += 1
        if self.count >= MESSAGES_PER_CONNECTION:
            self.close()

    def close(self) -> None:
        client, self.client, self.count = self.client, None, 0
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def _connected(self) -> smtplib.SMTP:
        if self.client is None:
            try:
                self.client = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                c = self.config
                raise Unreachable(
                    f"cannot use the mail server {c.host}:{c.port}: {exc or type(exc).__name__}"
                ) from exc
        return self.client

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.use_ssl:
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout, context=context
            )
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.use_tls:
                client.starttls(context=ssl.create_default_context())
        client.ehlo_or_helo_if_needed()  # so that has_extn knows the server's extensions
        if c.user:
            client.login(c.user, c.password)
        return client

    def _raise(self, code: int, reply: bytes | str) -> None:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        message = f"{code} {text}".strip()
        if 400 <= code < 500:
            raise TransientError(message)
        raise PermanentError(message)


class OutboxTransport(Transport):
    """The embedded default: one .eml file per message, named after its Message-ID, in
    quoted-printable (what any mail client opens)."""

    def send(self, recipient: str, data: bytes, *, key: str = "", eight_bit: bool = False) -> None:
        try:
            outbox_write(data, key=key)
        except OSError as exc:
            raise TransientError(f"outbox: {exc}") from exc


@contextmanager
def transport_open() -> Iterator[Transport]:
    """The transport the settings name, closed when the block ends."""
    config = settings.EMAIL_SMTP
    transport: Transport = SmtpTransport(config) if config else OutboxTransport()
    try:
        yield transport
    finally:
        transport.close()
