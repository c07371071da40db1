"""RSS 2.0 and Atom feeds, parsed by feedparser (a real feed reader's parser): no `bozo`."""

from __future__ import annotations

from typing import Any

import feedparser
import pytest
from django.test import Client

from paperfeed.community.models import Featured
from paperfeed.papers.models import Paper
from tests.web.conftest import World, make_paper

FORMATS = [("rss", "rss20"), ("atom", "atom10")]


def parsed(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    kind = "application/atom+xml" if ".atom" in url else "application/rss+xml"
    assert response["Content-Type"].startswith(kind)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize(("fmt", "version"), FORMATS)
def test_daily_feed_lists_the_last_week_of_featured_papers(
    client: Client, world: World, fmt: str, version: str
) -> None:
    feed = parsed(client, f"/feeds/daily.{fmt}")
    assert feed.version == version
    assert feed.feed.title == "Daily papers"
    ids = [e.link.rsplit("/papers/", 1)[1] for e in feed.entries]
    # 14 March by upvotes (12 before 7), then 12 March, then 10 March.
    assert ids == ["2603.00002", "2603.00001", "2603.00003", "2603.00004"]
    first = feed.entries[0]
    assert first.title == "Graph networks for weather"
    assert first.link == "http://testserver/papers/2603.00002"
    assert first.id == "https://arxiv.org/abs/2603.00002"
    assert "Alan Turing" in first.summary and "12 upvotes" in first.summary
    assert first.published_parsed[:3] == (2026, 3, 14)
    assert [t.term for t in first.tags] == ["cs.LG", "stat.ML"]


@pytest.mark.parametrize(("fmt", "version"), FORMATS)
def test_trending_feed(client: Client, world: World, fmt: str, version: str) -> None:
    feed = parsed(client, f"/feeds/trending.{fmt}")
    assert feed.version == version
    assert feed.entries[0].link.endswith("/papers/2603.00002")  # most upvotes, recent


@pytest.mark.parametrize(("fmt", "version"), FORMATS)
def test_category_feed_lists_the_newest_papers_in_it(
    client: Client, indexed: World, fmt: str, version: str
) -> None:
    feed = parsed(client, f"/feeds/category/hep-th.{fmt}")
    assert feed.feed.title == "New papers in hep-th"
    assert [e.link.rsplit("/papers/", 1)[1] for e in feed.entries] == ["hep-th/9901001"]


@pytest.mark.parametrize(("fmt", "version"), FORMATS)
def test_author_feed(client: Client, world: World, fmt: str, version: str) -> None:
    feed = parsed(client, f"/feeds/authors/Alan Turing.{fmt}")
    ids = {e.link.rsplit("/papers/", 1)[1] for e in feed.entries}
    assert "2603.00002" in ids and "2603.00001" in ids


@pytest.mark.parametrize(("fmt", "version"), FORMATS)
def test_search_feed_follows_any_query(
    client: Client, indexed: World, fmt: str, version: str
) -> None:
    feed = parsed(client, f"/feeds/search.{fmt}?q=diffusion+protein&mode=keyword")
    assert feed.feed.title == "Search: diffusion protein"
    assert feed.entries[0].link.endswith("/papers/2603.00001")
    assert "&mode=keyword" in feed.feed.link
    empty = parsed(client, f"/feeds/search.{fmt}?q=")
    assert empty.entries == []


def test_control_characters_and_markup_do_not_break_a_feed(client: Client, world: World) -> None:
    paper = make_paper(
        "2603.00009",
        title="Bell \x07 states <b>&amp;</b> qubits",
        abstract="Noise \x0b and </description> tags & ampersands.",
    )
    Featured.objects.create(
        paper=paper,
        featured_on=world.featured["2603.00001"].featured_on,
        source="hf-daily",
        source_upvotes=99,
    )
    for fmt, _ in FORMATS:
        entry = parsed(client, f"/feeds/daily.{fmt}").entries[0]
        assert entry.title == "Bell  states <b>&amp;</b> qubits"
        assert "Noise and &lt;/description&gt; tags &amp; ampersands." in entry.summary


def test_unknown_author_category_and_format_are_404(client: Client, world: World) -> None:
    assert client.get("/feeds/authors/Nobody Here.atom").status_code == 404
    assert client.get("/feeds/category/not a category!.rss").status_code == 404
    assert client.get("/feeds/daily.json").status_code == 404


def test_pages_link_their_feeds(client: Client, indexed: World) -> None:
    pages = {
        "/": "/feeds/daily.atom",
        "/trending": "/feeds/trending.atom",
        "/authors/Alan%20Turing": "/feeds/authors/Alan%20Turing.atom",
        "/search?q=diffusion&mode=keyword": "/feeds/search.atom?q=diffusion&amp;mode=keyword",
    }
    for page, href in pages.items():
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html, page
        assert f'href="{href}"' in html, (page, href)
        assert 'type="application/rss+xml"' in html
    assert Paper.objects.count() == 5
