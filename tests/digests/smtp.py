"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts, and can misbehave:
answer 451 to the first attempts, refuse addresses with 550, drop the connection."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    rcpt: str
    raw: bytes
    message: EmailMessage

    def part(self, kind: str) -> str:
        found = self.message.get_body(preferencelist=(kind.split("/")[1],))
        assert found is not None and found.get_content_type() == kind, kind
        return str(found.get_content())


@dataclass
class Mailbox:
    """The handler: what arrived, and the faults to play."""

    received: list[Received] = field(default_factory=list)
    temp_fail_first: int = 0  # answer 451 to this many DATA commands
    reject: set[str] = field(default_factory=set)  # 550 at RCPT for these addresses
    drop_at: set[int] = field(default_factory=set)  # drop the connection at these DATA counts
    on_data: Callable[[int], str | None] | None = None  # may return a reply instead of 250
    keep: bool = True  # False: discard (benchmark sink)
    data_count: int = 0
    accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:  # fmt: skip
        if address.lower() in self.reject:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_count += 1
            count = self.data_count
        if count in self.drop_at:
            server.transport.close()
            return "421 4.4.2 connection dropped"
        if count <= self.temp_fail_first:
            return "451 4.3.0 please try again later"
        if self.on_data is not None:
            reply = self.on_data(count)
            if reply:
                return reply
        with self.lock:
            self.accepted += 1
            if self.keep:
                raw = bytes(envelope.original_content or envelope.content)
                message = message_from_bytes(raw, policy=policy.default)
                for rcpt in envelope.rcpt_tos:
                    self.received.append(Received(envelope.mail_from, rcpt, raw, message))  # type: ignore[arg-type]
        return "250 2.0.0 accepted"

    def copies(self) -> Counter[str]:
        return Counter(r.rcpt for r in self.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if r.rcpt == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    def __init__(self, mailbox: Mailbox | None = None, *, port: int | None = None) -> None:
        self.mailbox = mailbox or Mailbox()
        self.port = port or free_port()
        self.controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, decode_data=False,
            data_size_limit=10_000_000,
        )  # fmt: skip

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
