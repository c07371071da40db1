"""Claiming an author page in a real browser: "This is me", the pending notice, staff's
confirmation, "not me" and undo, following; the page passes the Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from paperfeed.authors.models import Claim
from paperfeed.authors.services import claim_confirm
from paperfeed.recommend.models import Interest
from tests.e2e.conftest import Catalog, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_claim_confirm_not_me_and_follow(
    page: Any, catalog: Catalog, member: User, log_in: Callable[[Any, User], None]
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    name = catalog.papers[0].authors[0]
    log_in(page, member)
    page.goto(f"/authors/{name}")
    expect(page.locator("svg.bar-chart")).to_be_visible()
    page.get_by_text("This is me").click()
    page.get_by_label("Your homepage or ORCID (optional)").fill("https://example.org/ada")
    page.get_by_role("button", name="Claim this page").click()
    expect(page.get_by_text("claim pending", exact=True)).to_be_visible()

    claim = Claim.objects.get()
    claim_confirm(claim=claim, by=User.objects.create_user("staffer", is_staff=True))
    page.reload()
    expect(page.get_by_text("Claimed by ada")).to_be_visible()
    expect(page.get_by_role("link", name="https://example.org/ada")).to_be_visible()
    count = page.locator("article.hit").count()
    page.locator("article.hit").first.get_by_role("button", name=re.compile("^Not me")).click()
    expect(page.locator("article.hit")).to_have_count(count - 1)
    page.get_by_text(re.compile(r"you said (is|are) not yours")).click()
    page.get_by_role("button", name=re.compile("^Undo")).click()
    expect(page.locator("article.hit")).to_have_count(count)

    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    assert Interest.objects.filter(user=member, kind="author").count() == 1
    screenshot(page, "author-claimed")
    assert not [e for e in errors if "Content Security Policy" in e], errors
