"""Collections in a real browser: make a collection from a paper card, add a second paper, and
open the link in a browser that is not logged in; and the same from a card without
JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from paperfeed.collections.models import Collection, CollectionItem
from tests.e2e.conftest import Catalog, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_make_a_collection_from_a_card_and_share_it(
    browser: Any,
    live_server: Any,
    page: Any,
    catalog: Catalog,
    member: User,
    log_in: Callable[..., None],
) -> None:
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    log_in(page, member)
    page.goto("/")
    page.evaluate("window.notReloaded = true")

    # The first card: open "+ Collection", make a new unlisted collection with the paper.
    first = page.locator("article.entry").nth(0)
    first_title = first.locator("h3").inner_text()
    first.locator("details.collect > summary").click()
    picker = first.locator(".collect-picker")
    expect(picker.get_by_text("You have no collections yet.")).to_be_visible()
    picker.get_by_label("New collection").fill("Reading group")
    picker.get_by_label("Who can see it").select_option("unlisted")
    picker.get_by_role("button", name="Make and add").click()
    expect(first.locator(".picker-status")).to_have_text(
        "Added to your new collection “Reading group”."
    )
    expect(first.get_by_role("button", name="Reading group")).to_have_attribute(
        "aria-pressed", "true"
    )

    # A second card: the new collection is offered; one click adds the paper in place.
    second = page.locator("article.entry").nth(1)
    second_title = second.locator("h3").inner_text()
    second.locator("details.collect > summary").click()
    second.get_by_role("button", name="Reading group").click()
    expect(second.locator(".picker-status")).to_have_text("Added to “Reading group”.")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the pickers in place
    screenshot(page, "collection-picker")
    collection = Collection.objects.get(owner=member)
    assert collection.visibility == "unlisted"
    assert CollectionItem.objects.filter(collection=collection).count() == 2

    # Its page, then the link in a browser that is not logged in.
    page.goto("/collections/ada")
    page.get_by_role("link", name="Reading group").click()
    expect(page.locator("h1")).to_have_text("Reading group")
    share = page.get_by_label(re.compile("Link to share")).input_value()
    assert share == f"{live_server.url}/collections/ada/reading-group"
    screenshot(page, "collection")
    anonymous = browser.new_context(base_url=live_server.url)
    tab = anonymous.new_page()
    tab.goto(share)
    expect(tab.locator("h1")).to_have_text("Reading group")
    titles = tab.locator(".collection-item h3")
    expect(titles).to_have_text([first_title, second_title])
    expect(tab.get_by_role("button", name="Add")).to_have_count(0)  # not theirs to edit
    expect(tab.get_by_text("+ Collection")).to_have_count(0)
    anonymous.close()
    assert not violations


def test_add_from_a_card_without_javascript(
    browser: Any, live_server: Any, catalog: Catalog, member: User, log_in: Callable[..., None]
) -> None:
    mine = Collection.objects.create(owner=member, slug="later", title="Read later")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    tab = context.new_page()
    log_in(tab, member)
    tab.goto("/trending")
    card = tab.locator("article.entry").first
    title = card.locator("h3").inner_text()
    card.locator("details.collect > summary").click()  # <details> opens without JavaScript
    card.get_by_role("link", name="Choose collections…").click()
    expect(tab.locator("h1")).to_have_text("Add to collections")
    tab.get_by_role("button", name="Read later").click()
    expect(tab).to_have_url(re.compile(r"/trending$"))  # back where it started
    expect(tab.get_by_text("Added to “Read later”.")).to_be_visible()
    item = CollectionItem.objects.get(collection=mine)
    assert item.paper.title == title
    context.close()
