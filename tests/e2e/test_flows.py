"""What a person clicks through, in a real browser: sign up, browse days, search, open a paper,
upvote, comment, submit a paper; and screenshots of the main pages at two widths."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect
from pytest_django.fixtures import Settings

from paperfeed.community.models import Comment, Featured, Vote
from tests.e2e.conftest import PASSWORD, Catalog, screenshot
from tests.support import recorded_atom
from tests.support.replay import ReplayServer, Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_sign_up_then_upvote_inline_and_comment(page: Any, catalog: Catalog) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("grace")
    page.locator("main").get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome, grace!")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/for-you/setup$"))  # a new reader picks interests
    page.goto("/")

    # Upvote the first card: htmx swaps the button in place, the page does not reload.
    card = page.locator("article.entry").first
    title = card.locator("h3").inner_text()
    before = int(card.locator(".vote .count").inner_text())
    page.evaluate("window.notReloaded = true")
    card.locator(".vote button").click()
    expect(card.locator(".vote button")).to_have_attribute("aria-pressed", "true")
    expect(card.locator(".vote .count")).to_have_text(str(before + 1))
    assert page.evaluate("window.notReloaded") is True
    assert Vote.objects.filter(user__username="grace").count() == 1

    # Open the paper and comment, with a script that must stay text.
    card.locator("h3 a").click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".paper-head .vote button")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Add a comment").fill("Lovely **result**. <script>window.pwned=1</script>")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-body strong")).to_have_text("result")
    assert page.evaluate("window.pwned") is None
    assert Comment.objects.get().author.username == "grace"


def test_an_upvote_works_without_javascript(
    browser: Any, live_server: Any, catalog: Catalog, member: User, log_in: Callable[..., None]
) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    tab = context.new_page()
    log_in(tab, member)
    tab.goto("/")
    card = tab.locator("article.entry").first
    before = int(card.locator(".vote .count").inner_text())
    card.locator(".vote button").click()
    tab.wait_for_load_state()
    assert tab.url.rstrip("/") == live_server.url  # redirected back to the same page
    expect(tab.locator("article.entry").first.locator(".vote .count")).to_have_text(str(before + 1))
    context.close()


def test_anonymous_upvote_asks_to_log_in(page: Any, catalog: Catalog, member: User) -> None:
    page.goto("/")
    page.locator("article.entry .vote button").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Daily Papers")


def test_switch_between_days_weeks_and_months(page: Any, catalog: Catalog) -> None:
    today, two_ago, five_ago = catalog.days
    page.goto("/")
    expect(page.locator(".sub")).to_contain_text(f"{today.day} {today:%B %Y}")
    page.get_by_role("link", name="Previous").click()
    expect(page).to_have_url(re.compile(f"/papers/date/{two_ago.isoformat()}$"))
    page.get_by_role("link", name="Previous").click()  # the empty days between are skipped
    expect(page).to_have_url(re.compile(f"/papers/date/{five_ago.isoformat()}$"))
    assert page.locator("article.entry").count() == 4
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(f"/papers/date/{two_ago.isoformat()}$"))
    page.get_by_role("navigation", name="Period").get_by_role("link", name="Month").click()
    expect(page.locator("h1")).to_have_text("Papers of the month")
    page.get_by_role("link", name="Trending", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"sort=trending"))
    page.goto("/papers/date/2026-02-30")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("main")).to_contain_text("is not a date")


def test_search_then_open_a_paper(page: Any, catalog: Catalog) -> None:
    paper = catalog.papers[20]
    word = max(re.findall(r"[A-Za-z]{7,}", paper.title), key=len)
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search papers").first
    box.fill(word)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.locator("mark").first).to_be_visible()
    page.get_by_role("link", name=paper.title).first.click()
    expect(page.locator("h1")).to_have_text(paper.title)
    page.get_by_text("BibTeX", exact=True).click()
    expect(page.locator("#bibtex")).to_contain_text(f"eprint={{{paper.arxiv_id}}}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.get_by_role("button", name="Copied ✓")).to_be_visible()
    assert f"eprint={{{paper.arxiv_id}}}" in page.evaluate("navigator.clipboard.readText()")
    # An arXiv id typed into the box goes straight to the paper.
    page.get_by_role("searchbox", name="Search papers").first.fill(f"arXiv:{paper.arxiv_id}")
    page.get_by_role("searchbox", name="Search papers").first.press("Enter")
    expect(page).to_have_url(re.compile(f"/papers/{re.escape(paper.arxiv_id)}$"))


@pytest.mark.task_queue  # the embedding is queued for the worker, not run in the request
def test_submit_a_paper_fetched_from_arxiv(
    page: Any,
    catalog: Catalog,
    member: User,
    log_in: Callable[..., None],
    replay_server: ReplayServer,
    settings: Settings,
) -> None:
    settings.ARXIV_API_URL = f"{replay_server.url}/api/query"
    settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS = 100_000  # the recorded paper is from 2021
    body = str(recorded_atom("id_2104.12255v1_s0_m100_6ae69987ffe1")["body"])
    replay_server.add("/api/query", None, Reply(200, body))
    log_in(page, member)
    page.goto("/")
    page.get_by_role("link", name="Submit").click()
    page.get_by_label("arXiv id or URL").fill("not an id")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".field .error")).to_contain_text("is not an arXiv id or URL")
    page.get_by_label("arXiv id or URL").fill("https://arxiv.org/abs/2104.12255v1")
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(re.compile(r"/papers/2104\.12255$"))
    expect(page.get_by_text("Thank you! The paper is on the list of")).to_be_visible()
    assert Featured.objects.get(paper__arxiv_id="2104.12255").submitted_by == "ada"
    assert replay_server.requests[0].query["id_list"] == "2104.12255"
    queued = DBTaskResult.objects.get(task_path="paperfeed.search.tasks.paper_embed")
    paper_id = Featured.objects.get(paper__arxiv_id="2104.12255").paper_id
    assert queued.args_kwargs["kwargs"] == {"paper_ids": [paper_id]}
    page.get_by_role("link", name="Daily", exact=True).click()
    expect(page.locator("article.entry").filter(has_text="Submitted by ada").first).to_be_visible()


def test_screenshots_of_the_main_pages(
    page: Any, catalog: Catalog, member: User, log_in: Callable[..., None]
) -> None:
    log_in(page, member)
    paper = catalog.papers[0]
    page.goto("/")
    screenshot(page, "daily")
    page.goto("/trending?window=week")
    screenshot(page, "trending")
    page.goto("/search?q=learning+model")
    screenshot(page, "search")
    page.goto(f"/papers/{paper.arxiv_id}")
    screenshot(page, "paper")
