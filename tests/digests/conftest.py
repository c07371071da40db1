from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from paperfeed.digests.models import Subscription
from paperfeed.digests.smtpurl import SmtpConfig
from tests.community.factories import feature, make_paper, make_user, user
from tests.digests.smtp import Mailbox, SmtpServer

__all__ = ["make_user", "user"]  # fixtures

# Sunday 15 March 2026, morning: the daily digest covers Saturday 14 March, the weekly one
# ISO week 2026-W11 (9 to 15 March).
NOW = datetime(2026, 3, 15, 7, tzinfo=UTC)
DAY = date(2026, 3, 14)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A loopback SMTP server that the digests and confirmations are sent to."""
    with SmtpServer(Mailbox()) as server:
        settings.EMAIL_SMTP = SmtpConfig(host="127.0.0.1", port=server.port, timeout=10)
        yield server


@pytest.fixture(autouse=True)
def digest_settings(settings: Any) -> None:
    settings.SITE_URL = "http://testserver"
    settings.DIGEST_BACKOFF_SECONDS = 0
    settings.DIGEST_RATE = 0
    settings.DIGEST_SKIP_EMPTY = True
    settings.DIGEST_WEEKDAYS_ONLY = False
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def papers(db: None) -> dict[str, Any]:
    """Papers featured on 13 and 14 March, and two new cs.CL papers for category picks."""
    day = {n: date(2026, 3, n) for n in (10, 12, 13, 14)}
    made = {
        "a": make_paper("2603.00001", published=day[13],
                        title="Sparse diffusion transformers for protein design",
                        abstract="We train a diffusion model. It designs proteins. "
                                 "It is fast. " + "More words here. " * 30),
        "b": make_paper("2603.00002", published=day[12], title="Graph networks for weather"),
        "c": make_paper("2603.00003", published=day[10], title="A survey of state space models"),
        "d": make_paper("2603.00004", published=day[14], title="Parsing with transformers",
                        categories=["cs.CL"]),
        "e": make_paper("2603.00005", published=day[14], title="Speech at scale",
                        categories=["cs.CL", "eess.AS"]),
    }  # fmt: skip
    feature(made["a"], date(2026, 3, 14), upvotes=7)
    feature(made["b"], date(2026, 3, 14), upvotes=12)
    feature(made["c"], date(2026, 3, 13), upvotes=3)
    return made


@pytest.fixture
def subscribe_confirmed(db: None) -> Callable[..., Subscription]:
    def make(
        email: str, frequency: str = "daily", categories: str = "", **fields: Any
    ) -> Subscription:
        return Subscription.objects.create(
            email=email, frequency=frequency, categories=categories, nonce="n",
            confirmed_at=datetime(2026, 3, 1, tzinfo=UTC), **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user("boss", is_staff=True, email="boss@example.org")
