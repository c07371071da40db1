"""The subscribe form's rate limits: requests per client address, and confirmation emails per
recipient address whoever asks (so the form cannot be used to flood an inbox from many
addresses)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.digests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


def subscribe(email: str, address: str = "127.0.0.1") -> Any:
    data = {"email": email, "frequency": "daily"}
    return Client().post("/subscribe", data, REMOTE_ADDR=address)


def test_requests_are_limited_per_client_address(
    smtp: SmtpServer, clock: Any, settings: Any
) -> None:
    settings.SUBSCRIBE_RATE = 2
    assert subscribe("a@example.org").status_code == 302
    assert subscribe("not an address").status_code == 400  # a mistake counts too
    refused = subscribe("b@example.org")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "subscription requests from your address" in refused.content.decode()
    assert not smtp.mailbox.to("b@example.org")
    assert subscribe("b@example.org", address="192.0.2.9").status_code == 302
    clock.shift(timedelta(hours=1))
    assert subscribe("c@example.org").status_code == 302


def test_confirmation_emails_are_limited_per_recipient(
    smtp: SmtpServer, clock: Any, settings: Any
) -> None:
    settings.SUBSCRIBE_RECIPIENT_RATE = 2
    for n in range(2):
        assert subscribe("target@example.org", address=f"192.0.2.{n}").status_code == 302
        assert subscribe("target@example.org", address="198.51.100.1").status_code == 302
        clock.shift(timedelta(minutes=6))  # past the five minutes between two confirmations
    # Two emails sent (the repeats within five minutes sent nothing and counted nothing).
    assert len(smtp.mailbox.to("target@example.org")) == 2
    refused = subscribe("TARGET@example.org", address="203.0.113.5")
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 3600 - 12 * 60
    assert "subscription requests for that address" in refused.content.decode()
    assert len(smtp.mailbox.to("target@example.org")) == 2
    assert subscribe("someone-else@example.org", address="203.0.113.5").status_code == 302
    clock.shift(timedelta(hours=1))
    assert subscribe("target@example.org", address="203.0.113.5").status_code == 302
    assert len(smtp.mailbox.to("target@example.org")) == 3
