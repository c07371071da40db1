"""The sender against servers that fail: after each fault every confirmed subscriber has
received exactly one copy of the edition."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection

from paperfeed.digests.editions import edition_prepare
from paperfeed.digests.models import Delivery, Subscription
from paperfeed.digests.sending import Sender
from paperfeed.digests.transports import SmtpTransport
from tests.digests.conftest import DAY, NOW
from tests.digests.smtp import Mailbox, SmtpServer

pytestmark = pytest.mark.django_db

READERS = [f"reader{n:02d}@example.org" for n in range(20)]


@pytest.fixture
def readers(papers: dict[str, Any], subscribe_confirmed: Callable[..., Subscription]) -> list[str]:
    for email in READERS:
        subscribe_confirmed(email)
    return READERS


def prepare() -> None:
    prepared = edition_prepare(frequency="daily", day=DAY)
    assert prepared.deliveries == len(READERS)


def exactly_once(server: SmtpServer, readers: list[str]) -> None:
    assert server.mailbox.copies() == {email: 1 for email in readers}
    assert Delivery.objects.filter(state="sent").count() == len(readers)


def test_451_on_the_first_attempts_is_retried(
    clock: Any, readers: list[str], smtp: SmtpServer
) -> None:
    smtp.mailbox.temp_fail_first = 3
    prepare()
    summary = Sender().run()
    assert (summary.sent, summary.failed, summary.retried) == (20, 0, 3)
    exactly_once(smtp, readers)
    assert Delivery.objects.filter(attempts__gt=1).count() == 3


def test_a_transient_failure_that_lasts_gives_up_after_the_attempts(
    clock: Any, readers: list[str], smtp: SmtpServer, settings: Any
) -> None:
    settings.DIGEST_MAX_ATTEMPTS = 3
    smtp.mailbox.on_data = lambda count: "451 4.3.0 later" if count <= 3 else None
    Subscription.objects.exclude(email=READERS[0]).delete()
    edition_prepare(frequency="daily", day=DAY)
    summary = Sender().run()
    assert (summary.sent, summary.failed) == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and "gave up after 3" in delivery.error


def test_backoff_waits_longer_each_time(
    clock: Any, readers: list[str], smtp: SmtpServer, settings: Any
) -> None:
    settings.DIGEST_BACKOFF_SECONDS = 30
    smtp.mailbox.temp_fail_first = 1
    prepare()
    summary = Sender(wait=False).run()  # the failed one waits for its retry
    assert summary.sent == 19 and summary.retried == 1
    waiting = Delivery.objects.get(state="pending")
    assert waiting.next_attempt_at == NOW + timedelta(seconds=30)
    clock.shift(timedelta(seconds=31))
    assert Sender(wait=False).run().sent == 1
    exactly_once(smtp, readers)


def test_550_for_one_address_is_recorded_and_the_rest_are_sent(
    clock: Any, readers: list[str], smtp: SmtpServer, settings: Any
) -> None:
    smtp.mailbox.reject = {READERS[5]}
    prepare()
    summary = Sender().run()
    assert (summary.sent, summary.failed) == (19, 1)
    assert smtp.mailbox.copies() == {email: 1 for email in readers if email != READERS[5]}
    failed = Delivery.objects.get(state="failed")
    assert failed.subscription.email == READERS[5] and failed.error.startswith("550")
    assert failed.subscription.bounces == 1 and failed.subscription.bounced_at is None


def test_repeated_hard_bounces_stop_mail_to_the_address(
    clock: Any, papers: dict[str, Any], smtp: SmtpServer, settings: Any,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:  # fmt: skip
    settings.DIGEST_MAX_BOUNCES = 2
    bad = subscribe_confirmed("bad@example.org")
    smtp.mailbox.reject = {"bad@example.org"}
    for day in (DAY, DAY - timedelta(days=1)):
        edition_prepare(frequency="daily", day=day)
        Sender().run()
    bad.refresh_from_db()
    assert bad.bounces == 2 and bad.bounced_at is not None and bad.status == "bounced"
    # The next edition has no delivery for it at all.
    assert edition_prepare(frequency="daily", day=DAY - timedelta(days=3)).deliveries == 0


def test_a_connection_dropped_mid_batch_is_resumed(
    clock: Any, readers: list[str], smtp: SmtpServer
) -> None:
    smtp.mailbox.drop_at = {4, 11}
    prepare()
    summary = Sender().run()
    assert summary.sent == 20 and summary.retried == 2
    exactly_once(smtp, readers)


def test_one_connection_is_reused_for_the_batch(
    clock: Any, readers: list[str], smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = []
    original = SmtpTransport._connected

    def counting(self: SmtpTransport) -> Any:
        if self.client is None:
            opened.append(1)
        return original(self)

    monkeypatch.setattr(SmtpTransport, "_connected", counting)
    prepare()
    Sender().run()
    assert len(opened) == 1
    exactly_once(smtp, readers)


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the sender catches it, nothing is cleaned up."""


def test_a_sender_killed_after_n_messages_is_finished_by_the_next_run(
    clock: Any, readers: list[str], smtp: SmtpServer, settings: Any
) -> None:
    prepare()
    first = Sender()
    sent: list[int] = []
    original = first._finish

    def finish_then_die(delivery: Delivery, state: str, **kw: Any) -> None:
        original(delivery, state, **kw)
        sent.append(delivery.pk)
        if len(sent) == 7:
            raise Killed

    first._finish = finish_then_die  # type: ignore[method-assign]
    with pytest.raises(Killed):
        first.run()
    assert len(smtp.mailbox.received) == 7
    assert Delivery.objects.filter(state="claimed").exists()  # its claims outlive it

    # A sender on another host would wait for the lease; this one is past it.
    clock.shift(timedelta(seconds=settings.DIGEST_LEASE_SECONDS + 1))
    summary = Sender().run()
    assert summary.sent == 13
    exactly_once(smtp, readers)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second process needs a shared database"
)
@pytest.mark.django_db(transaction=True)
def test_a_sender_process_killed_mid_run_is_finished_by_the_next_run(
    papers: dict[str, Any], subscribe_confirmed: Callable[..., Subscription]
) -> None:
    """A real `paperfeed digest send` process, SIGKILLed by the SMTP server while it sends its
    9th message; the next run notices the dead process at once and sends the rest."""
    for email in READERS:
        subscribe_confirmed(email)
    with time_machine.travel(NOW, tick=True):
        edition_prepare(frequency="daily", day=DAY)
    holder: dict[str, subprocess.Popen[bytes]] = {}

    def kill_on_9th(count: int) -> str | None:
        if count == 9:
            os.kill(holder["process"].pid, signal.SIGKILL)
            holder["process"].wait()
            return "421 4.3.2 shutting down"
        return None

    with SmtpServer(Mailbox(on_data=kill_on_9th)) as server:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "PAPERFEED_SMTP_URL": f"smtp://127.0.0.1:{server.port}",
            "PAPERFEED_SITE_URL": "http://testserver",
            "PAPERFEED_HOME": str(django_settings.HOME),
        }
        command = [sys.executable, "-m", "paperfeed", "digest", "send", "--period", "daily",
                   "--date", DAY.isoformat()]  # fmt: skip
        holder["process"] = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)  # fmt: skip
        with contextlib.suppress(subprocess.TimeoutExpired):
            holder["process"].wait(timeout=60)
        assert holder["process"].returncode == -signal.SIGKILL
        assert len(server.mailbox.received) == 8
        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert "sent 12" in rerun.stdout
        assert server.mailbox.copies() == {email: 1 for email in READERS}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_never_send_the_same_delivery(
    papers: dict[str, Any], subscribe_confirmed: Callable[..., Subscription]
) -> None:
    import threading

    from django.db import connections

    many = [f"many{n:03d}@example.org" for n in range(300)]
    for email in many:
        subscribe_confirmed(email)
    with time_machine.travel(NOW, tick=True):
        edition_prepare(frequency="daily", day=DAY)
    with SmtpServer(Mailbox()) as server:
        from django.test import override_settings

        from paperfeed.digests.smtpurl import SmtpConfig

        sent: list[int] = []

        def run() -> None:
            try:
                sent.append(Sender().run().sent)
            finally:
                connections.close_all()

        with override_settings(EMAIL_SMTP=SmtpConfig("127.0.0.1", server.port)):
            threads = [threading.Thread(target=run) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert sum(sent) == 300 and len(sent) == 3
        assert server.mailbox.copies() == {email: 1 for email in many}


def test_an_unreachable_server_stops_the_run_and_leaves_everything_pending(
    clock: Any, readers: list[str], settings: Any
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from paperfeed.digests.smtpurl import SmtpConfig
    from tests.digests.smtp import free_port

    settings.EMAIL_SMTP = SmtpConfig("127.0.0.1", free_port(), timeout=2)
    with pytest.raises(CommandError, match="cannot use the mail server"):
        call_command("digest_send", "--period", "daily", "--date", DAY.isoformat())
    assert Delivery.objects.filter(state="pending", attempts=0).count() == len(READERS)
    with SmtpServer(Mailbox()) as server:
        settings.EMAIL_SMTP = SmtpConfig("127.0.0.1", server.port)
        assert Sender().run().sent == len(READERS)
        exactly_once(server, readers)
