"""Digests sent to a real SMTP server on loopback: what arrives, once each, and its links."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from paperfeed.accounts.models import LibraryEntry
from paperfeed.digests.models import Delivery, Edition, Subscription
from paperfeed.digests.sending import Sender
from paperfeed.recommend.importing import interest_add
from tests.community.factories import make_paper
from tests.digests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


def send(*args: str) -> str:
    out = StringIO()
    call_command("digest_send", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_each_confirmed_subscriber_gets_one_digest_with_both_parts(
    clock: Any,
    papers: dict[str, Any],
    smtp: SmtpServer,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:
    for n in range(3):
        subscribe_confirmed(f"reader{n}@example.org")
    Subscription.objects.create(email="waiting@example.org", nonce="n")  # never confirmed
    gone = subscribe_confirmed("gone@example.org")
    gone.unsubscribed_at = gone.confirmed_at
    gone.save()
    subscribe_confirmed("weekly@example.org", frequency="weekly")

    output = send("--period", "daily")

    assert "daily 2026-03-14: composed, 3 deliveries" in output
    assert "sent 3, skipped 0, failed 0" in output
    assert smtp.mailbox.copies() == {f"reader{n}@example.org": 1 for n in range(3)}
    got = smtp.mailbox.to("reader0@example.org")[0]
    message = got.message
    assert message["Subject"].startswith("Daily papers, 14 March 2026")
    assert message["Message-ID"].startswith("<digest.")
    assert message["Date"] and "paperfeed" in message["From"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.search(r"<http://testserver/unsubscribe/[^>]+>, <mailto:[^>]+>",
                     str(message["List-Unsubscribe"]))  # fmt: skip
    text, html = got.part("text/plain"), got.part("text/html")
    assert "Graph networks for weather" in text and "Graph networks for weather" in html
    assert text.index("Graph networks") < text.index("Sparse diffusion")  # most upvotes first
    assert "▲ 12" in text
    assert "We train a diffusion model. It designs proteins." in text  # first sentences
    assert "More words here. " * 30 not in text
    assert 'style="' in html and "<style>" in html  # inlined, media queries kept
    assert "reader0@example.org" in text and "%%PF" not in text + html
    assert Delivery.objects.filter(state="sent").count() == 3


def test_the_links_in_a_digest_work(
    clock: Any,
    papers: dict[str, Any],
    smtp: SmtpServer,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:
    reader = subscribe_confirmed("reader@example.org")
    send("--period", "daily")
    got = smtp.mailbox.to("reader@example.org")[0]
    html = got.part("text/html")
    client = Client()
    links = set(re.findall(r'href="(http://testserver[^"]+)"', html))
    assert any("/papers/2603.00002" in link for link in links)
    for link in links:
        response = client.get(link.removeprefix("http://testserver"))
        assert response.status_code == 200, link
    reader.refresh_from_db()
    assert reader.is_active  # opening the unsubscribe page changes nothing

    # RFC 8058 one-click: a POST to the List-Unsubscribe URL, no CSRF token, no login.
    one_click = re.search(
        r"<(http://testserver/unsubscribe/[^>]+)>", str(got.message["List-Unsubscribe"])
    )
    assert one_click
    response = Client(enforce_csrf_checks=True).post(
        one_click[1].removeprefix("http://testserver"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.unsubscribed_at is not None


def test_a_second_run_sends_nothing_again(
    clock: Any,
    papers: dict[str, Any],
    smtp: SmtpServer,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:
    subscribe_confirmed("reader@example.org")
    send("--period", "daily")
    output = send("--period", "daily")
    assert "daily 2026-03-14: found" in output and "sent 0" in output
    assert smtp.mailbox.copies() == {"reader@example.org": 1}
    assert Edition.objects.count() == 1


def test_categories_bring_picks_for_you(
    clock: Any,
    papers: dict[str, Any],
    smtp: SmtpServer,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:
    subscribe_confirmed("nlp@example.org", categories="cs.CL")
    subscribe_confirmed("plain@example.org")
    send("--period", "daily")
    nlp = smtp.mailbox.to("nlp@example.org")[0].part("text/plain")
    plain = smtp.mailbox.to("plain@example.org")[0].part("text/plain")
    assert "PICKED FOR YOU" in nlp and "Parsing with transformers" in nlp and "new in cs.CL" in nlp
    assert "PICKED FOR YOU" not in plain


def test_unsubscribed_after_composing_is_skipped(
    clock: Any,
    papers: dict[str, Any],
    smtp: SmtpServer,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:
    reader = subscribe_confirmed("reader@example.org")
    subscribe_confirmed("other@example.org")
    send("--period", "daily", "--date", "2026-03-14", "--no-wait")  # composes and sends
    Delivery.objects.update(state="pending")  # as if composed but not sent yet
    smtp.mailbox.received.clear()
    reader.unsubscribed_at = reader.confirmed_at
    reader.save()
    summary = Sender().run()
    assert (summary.sent, summary.skipped) == (1, 1)
    assert smtp.mailbox.copies() == {"other@example.org": 1}


def test_the_outbox_holds_one_eml_file_per_message(
    clock: Any, papers: dict[str, Any], settings: Any, tmp_path: Any,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:  # fmt: skip
    settings.EMAIL_SMTP = None
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    subscribe_confirmed("a@example.org")
    subscribe_confirmed("b@example.org")
    send("--period", "daily")
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    Delivery.objects.update(state="pending")  # sending again replaces, never adds a copy
    Sender().run()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    assert b"List-Unsubscribe-Post" in files[0].read_bytes()


def test_a_followed_authors_new_paper_is_picked_for_a_reader_with_a_library(
    clock: Any,
    papers: dict[str, Any],
    smtp: SmtpServer,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:
    reader = User.objects.create_user("ada", "ada@example.org")
    LibraryEntry.objects.create(user=reader, paper=papers["c"])  # a library: not a cold start
    make_paper("2603.00009", published=date(2026, 3, 14), title="Knots by Emmy Noether",
               authors=["Emmy Noether"])  # fmt: skip
    interest_add(user=reader, kind="author", text="Emmy Noether")
    subscribe_confirmed("ada@example.org", user=reader)

    send("--period", "daily")

    text = smtp.mailbox.to("ada@example.org")[0].part("text/plain")
    picked = text[text.index("PICKED FOR YOU") :]
    assert "Knots by Emmy Noether" in picked and "whom you follow" in picked
