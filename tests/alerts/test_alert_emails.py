"""Alerts by email, over three simulated days (a pinned clock) and a real SMTP server on
loopback: one message per reader and period, a section of the digest for its subscribers,
nothing twice, a late arrival once, one-click stop per alert, confirmed addresses only, and
bounces counted."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from paperfeed.accounts.models import SavedSearch
from paperfeed.alerts.delivery import matches_claim, sections_of
from paperfeed.alerts.models import Alert, AlertMatch
from paperfeed.alerts.services import alert_set, alerts_check
from paperfeed.digests.models import Delivery, Edition, Subscription
from paperfeed.papers.ingest import paper_upsert
from tests.community.factories import feature, make_paper
from tests.digests.smtp import Received, SmtpServer
from tests.papers.factories import record

pytestmark = pytest.mark.django_db
DAY0 = date(2026, 11, 2)  # a Monday
QUERY = "diffusion models cat:cs.CV"


def at(day: int, hour: int) -> datetime:
    return datetime(DAY0.year, DAY0.month, DAY0.day, hour, tzinfo=UTC) + timedelta(days=day)


def ingest(arxiv_id: str, title: str, categories: list[str], **fields: Any) -> None:
    paper_upsert(record=record(arxiv_id, title=title, categories=categories, **fields))


def morning_send(day: int) -> str:
    """The next morning's `digest send` for day `day`."""
    out = StringIO()
    with time_machine.travel(at(day + 1, 7), tick=False):
        call_command("digest_send", "--period", "daily", "--no-wait", stdout=out,
                     stderr=StringIO())  # fmt: skip
    return out.getvalue()


def reader(name: str, *, digest: bool, subscribed: bool = True) -> User:
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "pw-123456789")
    if subscribed:
        Subscription.objects.create(
            email=f"{name}@example.org", user=user, nonce="n", digest=digest,
            confirmed_at=at(-30, 9),
        )  # fmt: skip
    return user


def alert_on(user: User, query: str = QUERY, name: str = "diffusion") -> Alert:
    with time_machine.travel(at(0, 9), tick=False):
        search = SavedSearch.objects.create(user=user, name=name, query=query)
        return alert_set(user=user, search_id=search.pk, by_email=True)


def titles(message: Received) -> list[str]:
    text = message.part("text/plain").replace("\r\n", "\n")
    return sorted(re.findall(r"^\* (.+)$", text, re.MULTILINE))


def test_three_days_of_alert_emails_send_each_match_once(smtp: SmtpServer) -> None:
    ada = reader("ada", digest=False)
    alert_on(ada)
    with time_machine.travel(at(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models for satellite images", ["cs.CV"])
        ingest("2611.00002", "Diffusion models for text", ["cs.CL"])  # not cs.CV
    alerts_check(now=at(1, 20))

    output = morning_send(1)

    assert "daily alerts 2026-11-03: 1 new deliveries" in output
    [first] = smtp.mailbox.to("ada@example.org")
    assert titles(first) == ["Latent diffusion models for satellite images"]
    assert first.message["Subject"] == "1 new paper for “diffusion” · paperfeed"
    assert first.message["Message-ID"].startswith("<alerts.")
    assert first.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/alerts/stop/" in str(first.message["List-Unsubscribe"])
    assert "Latent diffusion models" in first.part("text/html")
    morning_send(1)  # the same morning again: nothing more
    assert len(smtp.mailbox.to("ada@example.org")) == 1

    # Day 2: a new match, and a late arrival (an older id, stored today), each once.
    with time_machine.travel(at(2, 8), tick=False):
        ingest("2611.00003", "Video diffusion models", ["cs.CV"])
        ingest("2605.00009", "Diffusion models for old photos", ["cs.CV"],
               published=datetime(2026, 5, 1, tzinfo=UTC))  # fmt: skip
    alerts_check(now=at(2, 20))
    morning_send(2)
    second = smtp.mailbox.to("ada@example.org")[1]
    assert titles(second) == ["Diffusion models for old photos", "Video diffusion models"]
    assert second.message["Subject"] == "2 new papers for “diffusion” · paperfeed"

    # Day 3: nothing matches, nothing is sent.
    with time_machine.travel(at(3, 8), tick=False):
        ingest("2611.00004", "Graph networks", ["cs.LG"])
    alerts_check(now=at(3, 20))
    assert "alerts" not in morning_send(3)
    assert len(smtp.mailbox.to("ada@example.org")) == 2
    assert not AlertMatch.objects.filter(emailed_at__isnull=True).exists()


def test_a_digest_subscriber_gets_each_alert_as_a_section_of_the_digest(
    smtp: SmtpServer,
) -> None:
    ada = reader("ada", digest=True)
    alert_on(ada)
    alert_on(ada, "graph networks", name="graphs")
    with time_machine.travel(at(1, 8), tick=False):
        featured = make_paper("2611.00010", published=DAY0 + timedelta(days=1),
                              title="A featured paper")  # fmt: skip
        ingest("2611.00001", "Latent diffusion models for satellite images", ["cs.CV"])
        ingest("2611.00002", "Graph networks for weather", ["cs.LG"])
    feature(featured, DAY0 + timedelta(days=1), upvotes=3)
    alerts_check(now=at(1, 20))

    output = morning_send(1)

    assert "alerts" not in output  # no second message: the digest carries them
    [digest] = smtp.mailbox.to("ada@example.org")
    assert digest.message["Message-ID"].startswith("<digest.")
    text, html = digest.part("text/plain"), digest.part("text/html")
    assert "ALERT: diffusion" in text and "ALERT: graphs" in text
    assert (
        text.index("ALERT: diffusion")
        < text.index("Latent diffusion")
        < text.index("ALERT: graphs")
    )
    assert "Alert: graphs" in html and "Graph networks for weather" in html
    assert text.count("Stop emailing this alert") == 2
    assert "A featured paper" in text
    assert AlertMatch.objects.filter(emailed_at__isnull=False).count() == 2


def test_the_one_click_link_stops_that_alert_only(smtp: SmtpServer) -> None:
    ada = reader("ada", digest=False)
    diffusion = alert_on(ada)
    graphs = alert_on(ada, "graph networks", name="graphs")
    with time_machine.travel(at(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models", ["cs.CV"])
        ingest("2611.00002", "Graph networks for weather", ["cs.LG"])
    alerts_check(now=at(1, 20))
    morning_send(1)
    [message] = smtp.mailbox.to("ada@example.org")
    assert message.message["Subject"] == "2 new papers for 2 of your alerts · paperfeed"
    text = message.part("text/plain")
    section = text[text.index("ALERT: diffusion") : text.index("ALERT: graphs")]
    link = re.search(r"http://testserver(/alerts/stop/\S+)", section)
    assert link is not None
    client = Client()
    page = client.get(link.group(1))  # a mail scanner fetching the link stops nothing
    assert page.status_code == 200 and b"diffusion" in page.content
    assert Alert.objects.get(pk=diffusion.pk).by_email
    # RFC 8058: a POST with List-Unsubscribe=One-Click, no login, no CSRF token.
    done = client.post(link.group(1), {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200

    diffusion.refresh_from_db()
    assert not diffusion.by_email and diffusion.by_feed  # its feed goes on
    assert Alert.objects.get(pk=graphs.pk).by_email
    with time_machine.travel(at(2, 8), tick=False):
        ingest("2611.00003", "Video diffusion models", ["cs.CV"])
        ingest("2611.00004", "Graph networks for traffic", ["cs.LG"])
    alerts_check(now=at(2, 20))
    morning_send(2)
    second = smtp.mailbox.to("ada@example.org")[1]
    assert titles(second) == ["Graph networks for traffic"]
    assert Client().get(f"/feeds/alerts/{diffusion.feed_secret}.atom").status_code == 200


def test_a_forged_stop_link_changes_nothing(db: None) -> None:
    response = Client().post("/alerts/stop/forged")
    assert response.status_code == 400 and b"not valid" in response.content


def test_a_deleted_alert_sends_nothing(smtp: SmtpServer) -> None:
    ada = reader("ada", digest=False)
    alert = alert_on(ada)
    with time_machine.travel(at(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models", ["cs.CV"])
    alerts_check(now=at(1, 20))
    SavedSearch.objects.filter(pk=alert.search_id).delete()
    morning_send(1)
    assert smtp.mailbox.received == []


def test_no_alert_email_goes_to_an_unconfirmed_address(smtp: SmtpServer) -> None:
    bob = reader("bob", digest=False, subscribed=False)
    alert_on(bob)
    with time_machine.travel(at(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models", ["cs.CV"])
    alerts_check(now=at(1, 20))
    morning_send(1)
    assert smtp.mailbox.received == []
    # The match waits for a confirmed address; the feed has it meanwhile.
    assert AlertMatch.objects.get().sent_in == ""


def test_turning_on_email_asks_the_address_to_confirm_first(smtp: SmtpServer) -> None:
    bob = reader("bob", digest=False, subscribed=False)
    client = Client()
    client.force_login(bob)
    with time_machine.travel(at(0, 9), tick=False):
        form = {"query": QUERY, "channels": "1", "feed": "on", "email": "on", "frequency": "daily"}
        page = client.post("/searches/alert", form, follow=True)
        assert b"we sent a link to bob@example.org" in page.content
        [confirmation] = smtp.mailbox.to("bob@example.org")
        text = confirmation.part("text/plain")
        assert "email new papers matching their saved" in text
        link = re.search(r"http://testserver(/subscribe/confirm/\S+)", text)
        assert link is not None
        assert b"saved-search alerts" in client.get(link.group(1)).content
        client.post(link.group(1))
    subscription = Subscription.objects.get(email="bob@example.org")
    assert subscription.is_active and not subscription.digest and subscription.user == bob

    with time_machine.travel(at(1, 8), tick=False):
        make_paper("2611.00010", published=DAY0 + timedelta(days=1), title="Featured")
        ingest("2611.00001", "Latent diffusion models", ["cs.CV"])
    feature(make_paper("2611.00010"), DAY0 + timedelta(days=1), upvotes=1)
    alerts_check(now=at(1, 20))
    morning_send(1)
    [alerts_mail] = smtp.mailbox.to("bob@example.org")[1:]
    assert alerts_mail.message["Message-ID"].startswith("<alerts.")  # no digest for bob
    assert not Delivery.objects.filter(edition__kind=Edition.DIGEST).exists()


def test_a_bounce_is_counted_and_the_matches_wait(smtp: SmtpServer) -> None:
    ada = reader("ada", digest=False)
    alert_on(ada)
    smtp.mailbox.reject.add("ada@example.org")
    with time_machine.travel(at(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models", ["cs.CV"])
    alerts_check(now=at(1, 20))
    morning_send(1)
    assert Subscription.objects.get(email="ada@example.org").bounces == 1
    assert Delivery.objects.get().state == Delivery.FAILED
    assert AlertMatch.objects.get().sent_in == ""  # released for the next message


def test_a_message_built_again_carries_the_same_matches(db: None) -> None:
    ada = reader("ada", digest=False)
    alert = alert_on(ada)
    with time_machine.travel(at(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models", ["cs.CV"])
    alerts_check(now=at(1, 20))
    taken = matches_claim(key="d1", user_id=ada.pk, frequency="daily", until=at(2, 0))
    assert taken == 1
    with time_machine.travel(at(1, 21), tick=False):
        ingest("2611.00002", "More diffusion models", ["cs.CV"])
    alerts_check(now=at(1, 22))
    # Another message claims only what the first did not take.
    assert matches_claim(key="d2", user_id=ada.pk, frequency="daily", until=at(2, 0)) == 1
    [first] = sections_of(key="d1")
    assert first.alert_id == alert.pk
    assert [p.arxiv_id for p in first.papers] == ["2611.00001"]
    assert [p.arxiv_id for p in sections_of(key="d2")[0].papers] == ["2611.00002"]


def test_turning_email_on_later_sends_only_what_is_new_from_then(smtp: SmtpServer) -> None:
    ada = reader("ada", digest=False)
    with time_machine.travel(at(0, 9), tick=False):
        search = SavedSearch.objects.create(user=ada, name="diffusion", query=QUERY)
        alert_set(user=ada, search_id=search.pk)  # the feed only
    with time_machine.travel(at(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models", ["cs.CV"])
    alerts_check(now=at(1, 20))
    with time_machine.travel(at(1, 21), tick=False):
        alert_set(user=ada, search_id=search.pk, by_email=True)
    with time_machine.travel(at(2, 8), tick=False):
        ingest("2611.00003", "Video diffusion models", ["cs.CV"])
    alerts_check(now=at(2, 20))
    morning_send(2)
    [message] = smtp.mailbox.to("ada@example.org")
    assert titles(message) == ["Video diffusion models"]


def test_an_address_out_of_confirmation_emails_is_told_to_wait(
    smtp: SmtpServer, settings: Any
) -> None:
    settings.SUBSCRIBE_RECIPIENT_RATE = 0
    bob = reader("bob", digest=False, subscribed=False)
    client = Client()
    client.force_login(bob)
    form = {"query": QUERY, "channels": "1", "feed": "on", "email": "on", "frequency": "daily"}
    page = client.post("/searches/alert", form, follow=True)
    assert page.status_code == 200
    assert b"had several confirmation emails this hour" in page.content
    assert Alert.objects.get().by_email and smtp.mailbox.received == []
