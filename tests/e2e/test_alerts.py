"""Alerts in a real browser: save a search with "alert me" by email, confirm the address from
the email a loopback SMTP server received, then get the next matching paper by email, open it,
and stop the alert from the email's link."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from paperfeed.alerts.models import Alert
from paperfeed.alerts.services import alerts_check
from paperfeed.digests.smtpurl import SmtpConfig
from paperfeed.papers.ingest import paper_upsert
from tests.digests.smtp import Mailbox, SmtpServer
from tests.e2e.conftest import Catalog, screenshot
from tests.papers.factories import record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
QUERY = "quasicrystal lattices cat:cond-mat.str-el"


@pytest.fixture
def smtp(settings: Any, live_server: Any) -> Any:
    with SmtpServer(Mailbox()) as server:
        settings.EMAIL_SMTP = SmtpConfig(host="127.0.0.1", port=server.port, timeout=10)
        settings.SITE_URL = live_server.url
        settings.DIGEST_SKIP_EMPTY = True
        yield server


def link_in(received: Any, pattern: str) -> str:
    found = re.search(pattern, received.part("text/plain"))
    assert found, pattern
    return found[0]


def test_save_a_search_with_an_alert_and_receive_it_by_email(
    page: Any,
    catalog: Catalog,
    smtp: SmtpServer,
    member: User,
    log_in: Callable[[Any, User], None],
) -> None:
    log_in(page, member)
    page.goto(f"/search?q={QUERY}")
    form = page.locator("form.alert-form")
    form.get_by_label("How often").select_option("daily")
    expect(form.get_by_label("by email")).to_be_checked()
    form.get_by_role("button", name="Save and alert me").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "we sent a link to ada@example.org"
    )
    [confirmation] = smtp.mailbox.to("ada@example.org")
    page.goto(link_in(confirmation, r"http://\S+/subscribe/confirm/\S+"))
    expect(page.locator("main")).to_contain_text("saved-search alerts")
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.locator("h1")).to_have_text("You are subscribed")

    page.goto("/accounts/profile/")
    saved = page.locator(".saved-search", has_text="quasicrystal")
    expect(saved).to_contain_text("Alert: daily · email · feed")
    screenshot(page, "profile-alerts")

    # Tomorrow's papers arrive; the worker matches them and the morning's send mails them.
    paper_upsert(record=record("2612.00042", title="Quasicrystal lattices in strongly "
                               "correlated electrons", categories=["cond-mat.str-el"]))  # fmt: skip
    paper_upsert(record=record("2612.00043", title="Protein folding", categories=["q-bio.BM"]))
    alerts_check(now=timezone.now())
    call_command("digest_send", "--period", "daily", "--date", catalog.today.isoformat(),
                 "--no-wait", stdout=StringIO(), stderr=StringIO())  # fmt: skip

    [_, alert_mail] = smtp.mailbox.to("ada@example.org")
    assert "Quasicrystal lattices" in alert_mail.part("text/plain")
    assert "Protein folding" not in alert_mail.part("text/plain")
    page.goto("about:blank")  # the site's Content-Security-Policy would hide inline styles
    page.set_content(alert_mail.part("text/html"))
    screenshot(page, "alert-email")
    page.goto(link_in(alert_mail, r"http://\S+/papers/2612\.00042"))
    expect(page.locator("h1")).to_contain_text("Quasicrystal lattices")

    page.goto(link_in(alert_mail, r"http://\S+/alerts/stop/\S+"))
    page.get_by_role("button", name="Stop the emails").click()
    expect(page.locator("h1")).to_have_text("Alert emails stopped")
    assert not Alert.objects.get().by_email
