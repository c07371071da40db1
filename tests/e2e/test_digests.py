"""Email digests in a real browser: subscribe from the home page, confirm from the email that a
loopback SMTP server received, get a digest, unsubscribe from it."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from paperfeed.digests.models import Subscription
from paperfeed.digests.smtpurl import SmtpConfig
from tests.digests.smtp import Mailbox, SmtpServer
from tests.e2e.conftest import Catalog, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def smtp(settings: Any, live_server: Any) -> Any:
    with SmtpServer(Mailbox()) as server:
        settings.EMAIL_SMTP = SmtpConfig(host="127.0.0.1", port=server.port, timeout=10)
        settings.SITE_URL = live_server.url
        yield server


def link_in(received: Any, pattern: str) -> str:
    found = re.search(pattern, received.part("text/plain"))
    assert found, pattern
    return found[0]


def test_subscribe_confirm_receive_and_unsubscribe(
    page: Any, catalog: Catalog, smtp: SmtpServer
) -> None:
    page.goto("/")
    box = page.locator(".subscribe-box")
    expect(box).to_contain_text("Get trending papers in your email inbox")
    box.scroll_into_view_if_needed()
    screenshot(page, "subscribe-box")
    box.get_by_label("Email").fill("reader@example.org")
    box.get_by_label("How often").select_option("daily")
    box.get_by_role("button", name="Subscribe").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")

    confirmation = smtp.mailbox.to("reader@example.org")
    assert len(confirmation) == 1
    page.goto(link_in(confirmation[0], r"http://\S+/subscribe/confirm/\S+"))
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.locator("h1")).to_have_text("You are subscribed")
    assert Subscription.objects.get().is_active

    call_command("digest_send", "--period", "daily", "--date", catalog.today.isoformat(),
                 stdout=StringIO(), stderr=StringIO())  # fmt: skip
    digest = smtp.mailbox.to("reader@example.org")[1]
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.goto("about:blank")  # the site's Content-Security-Policy would hide inline styles
    page.set_content(digest.part("text/html"))
    screenshot(page, "digest-email")

    page.goto(link_in(digest, r"http://\S+/unsubscribe/\S+"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("You have unsubscribed")
    assert Subscription.objects.get().status == "unsubscribed"
    expect(page.get_by_role("link", name="Subscribe again")).to_be_visible()


def test_a_bad_address_is_explained_on_the_subscribe_page(page: Any, catalog: Catalog,
                                                          smtp: SmtpServer) -> None:  # fmt: skip
    page.goto("/subscribe")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("alert")).to_contain_text("not an email address")
    assert not smtp.mailbox.received
