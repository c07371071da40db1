"""Subscribing with double opt-in, confirming and leaving: through the pages, with the
confirmation read from a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from paperfeed.digests.models import Subscription
from paperfeed.digests.tokens import unsubscribe_token
from tests.digests.smtp import Mailbox, SmtpServer

pytestmark = pytest.mark.django_db

SAME_ANSWER = "/subscribe/sent"


def confirm_link(smtp: SmtpServer, email: str) -> str:
    got = smtp.mailbox.to(email)[-1]
    text, html = got.part("text/plain"), got.part("text/html")
    link = re.search(r"http://testserver(/subscribe/confirm/\S+)", text)
    assert link and link[1] in html
    return link[1]


def test_subscribing_sends_a_confirmation_and_nothing_else_until_confirmed(
    client: Client, smtp: SmtpServer, clock: Any
) -> None:
    response = client.post("/subscribe", {"email": " New@Example.org ", "frequency": "weekly",
                                          "categories": "cs.LG, cs.CL"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == SAME_ANSWER
    subscription = Subscription.objects.get()
    assert subscription.email == "new@example.org" and not subscription.is_active
    got = smtp.mailbox.to("new@example.org")
    assert len(got) == 1
    assert got[0].message["Subject"] == "Confirm your paperfeed digest"
    assert "weekly" in got[0].part("text/plain") and got[0].message["Message-ID"]

    link = confirm_link(smtp, "new@example.org")
    page = client.get(link)  # a mail scanner fetching the link confirms nothing
    assert page.status_code == 200 and b"Confirm my subscription" in page.content
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None

    done = client.post(link)
    assert done.status_code == 200 and b"You are subscribed" in done.content
    subscription.refresh_from_db()
    assert subscription.is_active
    assert (subscription.frequency, subscription.categories) == ("weekly", "cs.LG cs.CL")
    assert client.post(link).status_code == 200  # twice is harmless


def test_the_answer_is_the_same_whether_the_address_is_known_or_not(
    client: Client, smtp: SmtpServer, clock: Any, subscribe_confirmed: Callable[..., Subscription]
) -> None:
    known = subscribe_confirmed("known@example.org", frequency="daily")
    answers = [
        client.post("/subscribe", {"email": email, "frequency": "weekly"}, follow=True)
        for email in ("known@example.org", "unknown@example.org")
    ]
    assert answers[0].content == answers[1].content
    assert [a.redirect_chain for a in answers] == [[(SAME_ANSWER, 302)]] * 2
    known.refresh_from_db()
    assert known.frequency == "daily"  # unchanged until the owner confirms
    client.post(confirm_link(smtp, "known@example.org"))
    known.refresh_from_db()
    assert known.frequency == "weekly" and known.is_active


def test_the_form_cannot_flood_an_inbox(client: Client, smtp: SmtpServer, clock: Any) -> None:
    for _ in range(5):
        client.post("/subscribe", {"email": "target@example.org", "frequency": "daily"})
    assert len(smtp.mailbox.to("target@example.org")) == 1
    clock.shift(timedelta(minutes=6))
    client.post("/subscribe", {"email": "target@example.org", "frequency": "daily"})
    assert len(smtp.mailbox.to("target@example.org")) == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "not an email address"),
        ("a@b", "not an email address"),
        ("", "Enter your email address"),
        ("a" * 250 + "@example.org", "too long"),
        ("a@b.c\r\nBcc: x@example.org", "line breaks"),
        ("a@b.c\nBcc: x", "line breaks"),
        ("a@b.c%0d%0aBcc:x", "not an email address"),
    ],
)
def test_bad_addresses_are_refused_with_a_clear_message(
    client: Client, smtp: SmtpServer, email: str, message: str
) -> None:
    response = client.post("/subscribe", {"email": email, "frequency": "daily"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscription.objects.exists() and not smtp.mailbox.received


def test_bad_categories_and_frequency_are_refused(client: Client, smtp: SmtpServer) -> None:
    response = client.post("/subscribe", {"email": "a@example.org", "frequency": "hourly"})
    assert response.status_code == 400
    response = client.post("/subscribe", {"email": "a@example.org", "frequency": "daily",
                                          "categories": "cs.LG; DROP TABLE"})  # fmt: skip
    assert response.status_code == 400 and "is not an arXiv category" in response.content.decode()
    assert not Subscription.objects.exists()


def test_forged_and_expired_confirmation_links_change_nothing(
    client: Client, smtp: SmtpServer, clock: Any
) -> None:
    client.post("/subscribe", {"email": "late@example.org", "frequency": "daily"})
    link = confirm_link(smtp, "late@example.org")
    forged = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    for bad in (forged, "/subscribe/confirm/nonsense", "/subscribe/confirm/" + "x" * 300):
        assert client.post(bad).status_code == 400
        assert client.get(bad).status_code == 400
    clock.shift(timedelta(days=8))
    response = client.post(link)
    assert response.status_code == 400 and b"expired" in response.content
    assert not Subscription.objects.get().is_active


def test_unsubscribing_voids_older_confirmation_links(
    client: Client, smtp: SmtpServer, clock: Any
) -> None:
    client.post("/subscribe", {"email": "r@example.org", "frequency": "daily"})
    link = confirm_link(smtp, "r@example.org")
    client.post(link)
    subscription = Subscription.objects.get()
    client.post(f"/unsubscribe/{unsubscribe_token(subscription.pk)}")
    assert client.post(link).status_code == 400
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed"


def test_one_click_for_unknown_or_forged_tokens_is_refused(
    client: Client, subscribe_confirmed: Callable[..., Subscription]
) -> None:
    reader = subscribe_confirmed("reader@example.org")
    good = unsubscribe_token(reader.pk)
    for token in (unsubscribe_token(reader.pk + 999), good[:-2] + "zz", "garbage", str(reader.pk)):
        response = client.post(f"/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.is_active


def test_leave_then_subscribe_again(
    client: Client, smtp: SmtpServer, clock: Any, subscribe_confirmed: Callable[..., Subscription]
) -> None:
    reader = subscribe_confirmed("back@example.org")
    client.post(f"/unsubscribe/{unsubscribe_token(reader.pk)}")
    reader.refresh_from_db()
    assert not reader.is_active
    client.post("/subscribe", {"email": "back@example.org", "frequency": "daily"})
    client.post(confirm_link(smtp, "back@example.org"))
    reader.refresh_from_db()
    assert reader.is_active and Subscription.objects.count() == 1


def test_a_logged_in_reader_manages_the_subscription_from_the_profile(
    client: Client, smtp: SmtpServer, clock: Any, make_user: Callable[..., User]
) -> None:
    ada = make_user("ada", email="ada@example.org")
    client.force_login(ada, backend="django.contrib.auth.backends.ModelBackend")
    profile = client.get("/accounts/profile/")
    assert b"Get trending papers" in profile.content
    client.post("/subscribe", {"email": "ada@example.org", "frequency": "daily"})
    client.post(confirm_link(smtp, "ada@example.org"))
    subscription = Subscription.objects.get()
    assert subscription.user == ada  # linked: picks come from the account

    profile = client.get("/accounts/profile/")
    assert b"daily digest" in profile.content
    client.post("/digests/manage", {"frequency": "weekly", "categories": "math.AG"})
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.categories) == ("weekly", "math.AG")
    client.post("/digests/manage", {"action": "leave"})
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed"


@pytest.mark.task_queue
# Committed for real: the queue's worker closes connections left in a transaction, as a worker
# process must.
@pytest.mark.django_db(transaction=True)
def test_the_confirmation_is_queued_and_outlasts_a_mail_server_that_is_down(
    client: Client, settings: Any
) -> None:
    """The request does not wait for the mail server: the email is a queued task, retried with
    backoff while the server is down, and sent once it is back."""
    import time_machine
    from django_tasks_db.models import DBTaskResult

    from paperfeed.digests.smtpurl import SmtpConfig
    from paperfeed.ops.worker import queue_worker
    from tests.digests.smtp import free_port

    settings.DIGEST_BACKOFF_SECONDS = 30
    port = free_port()
    settings.EMAIL_SMTP = SmtpConfig("127.0.0.1", port, timeout=2)
    response = client.post("/subscribe", {"email": "a@example.org", "frequency": "daily"})
    assert response.status_code == 302 and response["Location"] == "/subscribe/sent"
    assert DBTaskResult.objects.ready().count() == 1
    queue_worker(worker_id="test", batch=True).run()  # the server is down: a retry is queued
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.args_kwargs["kwargs"]["attempt"] == 2 and waiting.run_after > timezone.now()
    with SmtpServer(Mailbox(), port=port) as server:
        queue_worker(worker_id="test", batch=True).run()
        assert server.mailbox.copies() == {}  # not before its backoff has passed
        with time_machine.travel(timezone.now() + timedelta(seconds=31)):
            queue_worker(worker_id="test", batch=True).run()
        assert server.mailbox.copies() == {"a@example.org": 1}


def test_the_box_is_on_every_page_and_keeps_pages_cacheable(client: Client) -> None:
    for path in ("/", "/trending", "/search?q=x"):
        response = client.get(path)
        assert b"Get trending papers in your email inbox" in response.content
        assert b'action="/subscribe"' in response.content
        assert not response.cookies  # no CSRF cookie: anonymous pages stay shareable


def test_an_account_with_the_same_address_cannot_manage_an_unlinked_subscription(
    client: Client, make_user: Callable[..., User], subscribe_confirmed: Callable[..., Subscription]
) -> None:
    """Account addresses are not verified: only a confirmation link links a subscription."""
    victim = subscribe_confirmed("victim@example.org")
    mallory = make_user("mallory", email="victim@example.org")
    client.force_login(mallory, backend="django.contrib.auth.backends.ModelBackend")
    profile = client.get("/accounts/profile/").content.decode()
    assert "daily digest" not in profile and "victim@example.org" in profile  # the form's value
    client.post("/digests/manage", {"action": "leave"})
    client.post("/digests/manage", {"frequency": "weekly", "categories": ""})
    victim.refresh_from_db()
    assert victim.is_active and victim.frequency == "daily"
