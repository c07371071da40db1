"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

The live server runs in a thread of the test process over the test database (SQLite or
PostgreSQL, whichever the suite runs on), so a test arranges data with the ORM and the browser
sees it. Playwright's sync API runs an event loop in this thread, which Django would otherwise
take for async code and refuse ORM calls from.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from paperfeed.community.models import Featured
from paperfeed.community.trending import featured_refresh
from paperfeed.lib.records import PaperRecord
from paperfeed.lib.snapshot import read_snapshot
from paperfeed.papers.ingest import papers_upsert_batch
from paperfeed.papers.models import Paper
from paperfeed.search.indexing import keyword_sync

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("PAPERFEED_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
SAMPLE = REPO / "paperfeed" / "sample" / "arxiv-sample.jsonl.gz"
PASSWORD = "correct horse battery staple"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole run. Without chromium the tests are skipped, unless
    PAPERFEED_E2E_REQUIRED=1 (CI) makes that a failure."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("PAPERFEED_E2E_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh desktop-sized tab; `page.base` is the live server's address."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base = live_server.url
    yield tab
    context.close()


@dataclass
class Catalog:
    papers: list[Paper]
    today: Any
    days: list[Any]  # featured days, newest first


@pytest.fixture
def catalog(transactional_db: None) -> Catalog:
    """Forty real papers from the bundled sample, twelve of them featured on three recent days
    (today, two days ago, five days ago) with upvotes, and a keyword index over them."""
    records = [r for r in islice(read_snapshot(SAMPLE), 40) if isinstance(r, PaperRecord)]
    papers_upsert_batch(records=records)
    papers = list(Paper.objects.order_by("arxiv_id"))
    today = timezone.localdate()
    days = [today, today - timedelta(days=2), today - timedelta(days=5)]
    names = ["akhaliq", "ada", "grace", "alan"]
    for n, paper in enumerate(papers[:12]):
        Featured.objects.create(
            paper=paper, featured_on=days[n % 3], submitted_by=names[n % 4],
            source="hf-daily", source_upvotes=(n * 7) % 23 + 1, source_comments=n % 3,
        )  # fmt: skip
    featured_refresh(paper_ids=[p.pk for p in papers[:12]])
    keyword_sync(rebuild=True)
    return Catalog(papers=papers, today=today, days=days)


@pytest.fixture
def member(transactional_db: None) -> User:
    return User.objects.create_user("ada", "ada@example.org", PASSWORD)


@pytest.fixture
def log_in(live_server: Any) -> Callable[[Any, User], None]:
    """Give a browser tab the session of a logged-in user (no need to type a password)."""

    def apply(tab: Any, user: User) -> None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies["sessionid"]
        tab.context.add_cookies([{"name": "sessionid", "value": cookie.value,
                                  "url": live_server.url}])  # fmt: skip

    return apply


def screenshot(tab: Any, name: str) -> None:
    """Save the page at desktop and phone width under var/screenshots/ (not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1280", DESKTOP), ("375", PHONE)):
        tab.set_viewport_size(size)
        tab.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    tab.set_viewport_size(DESKTOP)
