"""A collection's Atom feed, parsed by feedparser (a real feed reader's parser)."""

from __future__ import annotations

from collections.abc import Callable

import feedparser
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.collections.services import collection_item_add, collection_update
from tests.collections.conftest import Shelf, url

Login = Callable[[User | None], Client]


def parsed(client: Client, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_the_feed_lists_the_papers_newest_added_first_with_notes(shelf: Shelf) -> None:
    with time_machine.travel("2026-03-16 09:00Z", tick=False):
        collection_item_add(
            user=shelf.bob, collection=shelf.public, paper=shelf.papers["hep-th/9901001"],
            note="Old <b>but</b> gold\x01.",
        )  # fmt: skip
    feed = parsed(Client(), url(shelf.public, "/feed.atom"))
    assert feed.version == "atom10"
    assert feed.feed.title == "Diffusion reading group · a collection by ada"
    assert feed.feed.subtitle == "What we read on Fridays."
    assert feed.feed.link == "http://testserver/collections/ada/diffusion-reading-group"
    assert feed.feed.author == "ada"
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Strings on branes",  # added last
        "Graph networks for weather",  # added after the next, in the same second
        "Sparse diffusion transformers for protein design",
    ]
    newest = feed.entries[0]
    assert newest.link == "http://testserver/papers/hep-th/9901001"
    assert newest.id == "https://arxiv.org/abs/hep-th/9901001"
    assert newest.updated.startswith("2026-03-16T09:00:00")
    # The note, escaped (feed readers read the summary as HTML), then the abstract.
    assert "Old &lt;b&gt;but&lt;/b&gt; gold." in newest.summary
    assert "<strong>Note:</strong>" in newest.summary
    start = feed.entries[2]
    assert "Start here." in start.summary and "$O(n^2)$" in start.summary


def test_the_page_links_its_feed(shelf: Shelf) -> None:
    page = Client().get(url(shelf.public)).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Diffusion reading group (Atom)"'
        ' href="/collections/ada/diffusion-reading-group/feed.atom">'
    ) in page


def test_a_private_collections_feed_is_for_its_owner_and_editors(
    shelf: Shelf, login: Login
) -> None:
    path = url(shelf.private, "/feed.atom")
    assert Client().get(path).status_code == 404
    assert login(shelf.eve).get(path).status_code == 404
    assert parsed(login(shelf.bob), path).entries[0].title == "Strings on branes"
    collection_update(user=shelf.ada, collection=shelf.private, visibility="unlisted")
    assert parsed(Client(), path).feed.title.startswith("Secret project zeta")
