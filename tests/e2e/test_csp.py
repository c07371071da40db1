"""The Content-Security-Policy in a real browser: the main pages, htmx, the API docs and the
admin load without a single violation (chromium reports each one as a console error and a
`securitypolicyviolation` event)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from paperfeed.community.models import Featured
from tests.e2e.conftest import Catalog

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Installed before any page script runs (Playwright's init scripts are not subject to the CSP).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


class Watch:
    """Every CSP violation seen by a tab, from the console and from the DOM event."""

    def __init__(self, tab: Any) -> None:
        self.tab = tab
        self.console: list[str] = []
        tab.context.add_init_script(LISTEN)
        tab.on("console", self._console)

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def visit(self, path: str, status: int = 200) -> None:
        answer = self.tab.goto(path)
        assert answer is not None and answer.status == status, path
        assert "content-security-policy" in answer.all_headers(), path
        self.tab.wait_for_load_state("load")
        self.check(path)

    def violations(self) -> list[str]:
        return [*self.tab.evaluate("window.__violations || []"), *self.console]

    def check(self, where: str) -> None:
        assert not self.violations(), where


@pytest.fixture
def watched(page: Any) -> Iterator[Watch]:
    yield Watch(page)


def test_the_main_pages_load_without_violations(watched: Watch, catalog: Catalog) -> None:
    paper = catalog.papers[0]
    word = max(re.findall(r"[A-Za-z]{7,}", catalog.papers[20].title), key=len)
    for path in ("/", "/trending", f"/search?q={word}", f"/papers/{paper.arxiv_id}",
                 "/subscribe"):  # fmt: skip
        watched.visit(path)
    watched.visit("/papers/date/2026-02-30", status=404)
    # The BibTeX copy button is shown by site.js: the page's script did run.
    watched.visit(f"/papers/{paper.arxiv_id}")
    expect(watched.tab.get_by_role("button", name="Copy BibTeX")).to_be_visible()
    # And the watch does see a violation when there is one: an inline style attribute.
    watched.tab.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color:red\">')")
    watched.tab.wait_for_function("window.__violations.length > 0")
    assert any("style-src" in v for v in watched.violations())


def test_htmx_swaps_without_violations(
    watched: Watch, catalog: Catalog, member: User, log_in: Callable[..., None]
) -> None:
    log_in(watched.tab, member)
    watched.visit("/")
    card = watched.tab.locator("article.entry").first
    card.locator(".vote button").click()
    expect(card.locator(".vote button")).to_have_attribute("aria-pressed", "true")
    # htmx did not add its own <style> element (its indicator CSS is in site.css).
    assert watched.tab.locator("head style").count() == 0
    watched.check("after an htmx upvote")


def test_the_api_docs_work_under_the_policy(watched: Watch, catalog: Catalog) -> None:
    watched.visit("/api/docs")
    expect(watched.tab.locator(".swagger-ui .info .title")).to_contain_text("paperfeed API")
    watched.tab.locator(".opblock-summary", has_text="/api/daily_papers").first.click()
    expect(watched.tab.locator(".opblock-body").first).to_be_visible()
    watched.check("/api/docs, an operation opened")


def test_the_admin_works_under_the_same_policy(
    watched: Watch, catalog: Catalog, log_in: Callable[..., None]
) -> None:
    boss = User.objects.create_superuser("boss", "boss@example.org", "x")
    log_in(watched.tab, boss)
    featured = Featured.objects.first()
    assert featured is not None
    for path in ("/admin/", "/admin/community/featured/", "/admin/community/comment/",
                 f"/admin/community/featured/{featured.pk}/change/",
                 f"/admin/papers/paper/{catalog.papers[0].pk}/change/",
                 f"/admin/auth/user/{boss.pk}/change/", "/admin/auth/user/add/",
                 "/admin/axes/accessattempt/"):  # fmt: skip
        watched.visit(path)
    # The date widget (admin's DateTimeShortcuts.js) opens its calendar.
    watched.visit(f"/admin/community/featured/{featured.pk}/change/")
    watched.tab.locator(".datetimeshortcuts a").last.click()
    expect(watched.tab.locator(".calendarbox").first).to_be_visible()
    watched.check("the admin's calendar")
