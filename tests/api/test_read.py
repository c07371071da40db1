"""Read endpoints: daily papers, trending, one paper, search, similar papers, comments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from paperfeed.community.services import comment_create, comment_hide
from tests.api.conftest import NOW, World, assert_problem


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [item["paper"]["id"] for item in response.json()]


# Daily papers -----------------------------------------------------------------------------


def test_daily_papers_without_a_date_lists_the_latest_featured_day(api: Client, world: World):
    response = api.get("/api/daily_papers")
    assert ids(response) == ["2603.00002", "2603.00001"]
    item = response.json()[0]
    assert item["title"] == item["paper"]["title"] == "Graph networks for weather forecasting"
    assert item["publishedAt"] == item["submittedOnDailyAt"] == "2026-03-14T00:00:00Z"
    assert item["paper"]["publishedAt"] == "2026-03-12T12:00:00Z"
    assert item["paper"]["upvotes"] == 12 and item["numComments"] == 0
    assert item["submittedBy"] == item["submittedOnDailyBy"]
    assert item["submittedBy"]["user"] == "alan"
    assert item["paper"]["authors"] == [{"name": "Alan Turing", "hidden": False}]
    assert item["paper"]["categories"] == ["physics.ao-ph", "cs.LG"]
    assert item["thumbnail"] == "" and item["mediaUrls"] == [] and item["score"] is None


def test_daily_papers_by_date_week_and_month(api: Client, world: World) -> None:
    assert ids(api.get("/api/daily_papers?date=2026-03-12")) == ["2603.00003"]
    assert ids(api.get("/api/daily_papers?date=2026-03-13")) == []
    # publishedAt (the default): the latest day first, each day by upvotes.
    week = ["2603.00002", "2603.00001", "2603.00003", "2603.00004"]
    assert ids(api.get("/api/daily_papers?week=2026-W11")) == week
    assert ids(api.get("/api/daily_papers?month=2026-03")) == week
    by_votes = ["2603.00002", "2603.00001", "2603.00003", "2603.00004"]
    assert ids(api.get("/api/daily_papers?month=2026-03&sort=votes")) == by_votes
    trending = ids(api.get("/api/daily_papers?month=2026-03&sort=trending"))
    assert sorted(trending) == sorted(week)
    assert ids(api.get("/api/daily_papers?month=2026-03&submitter=grace")) == ["2603.00003"]
    assert ids(api.get("/api/daily_papers?month=2026-03&submitter=nobody")) == []


def test_daily_papers_pages_and_their_edges(api: Client, world: World) -> None:
    first = api.get("/api/daily_papers?month=2026-03&limit=3")
    assert ids(first) == ["2603.00002", "2603.00001", "2603.00003"]
    assert first["Link"] == (
        '<http://testserver/api/daily_papers?month=2026-03&limit=3&p=1>; rel="next"'
    )
    last = api.get("/api/daily_papers?month=2026-03&limit=3&p=1")
    assert ids(last) == ["2603.00004"] and not last.has_header("Link")
    exact = api.get("/api/daily_papers?month=2026-03&limit=4")
    assert len(ids(exact)) == 4 and not exact.has_header("Link")  # no empty page announced
    assert ids(api.get("/api/daily_papers?month=2026-03&limit=3&p=2")) == []
    assert ids(api.get("/api/daily_papers?month=2026-03&p=10000")) == []
    # A limit over the cap is read as the cap.
    assert len(ids(api.get("/api/daily_papers?month=2026-03&limit=100000"))) == 4


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("date=2026-02-30", "'2026-02-30' is not a date"),
        ("date=yesterday", "date: use a day, YYYY-MM-DD"),
        ("date=2026-03-14T00:00:00", "date: use a day, YYYY-MM-DD"),
        ("week=2026-W54", "week: use an ISO week, YYYY-Www"),
        ("month=2026-13", "month: use a month, YYYY-MM"),
        ("date=0001-01-01", "from 1991 to 9998"),
        ("limit=0", "limit:"),
        ("limit=-5", "limit:"),
        ("p=-1", "p:"),
        ("p=10001", "p:"),
        ("p=x", "p:"),
        ("sort=random", "sort:"),
    ],
)
def test_daily_papers_bad_parameters_are_422_problems(
    api: Client, world: World, query: str, detail: str
) -> None:
    assert_problem(api.get(f"/api/daily_papers?{query}"), 422, detail_has=detail)


def test_a_validation_problem_lists_each_invalid_parameter(api: Client, world: World) -> None:
    body = assert_problem(api.get("/api/daily_papers?limit=x&p=y"), 422)
    assert {e["field"] for e in body["errors"]} == {"limit", "p"}
    assert all(e["location"] == "query" for e in body["errors"])


# Trending ---------------------------------------------------------------------------------


def test_trending_ranks_the_window_and_pages(api: Client, world: World) -> None:
    response = api.get("/api/trending?window=week")
    ranked = ids(response)
    assert ranked[0] == "2603.00002" and len(ranked) == 4
    scores = [item["score"] for item in response.json()]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert ids(api.get("/api/trending?window=day")) == ["2603.00002", "2603.00001"]
    page = api.get("/api/trending?limit=2")
    assert ids(page) == ranked[:2] and 'p=1>; rel="next"' in page["Link"]
    assert ids(api.get("/api/trending?limit=2&p=1")) == ranked[2:]
    assert ids(api.get("/api/trending?limit=2&p=2")) == []
    assert_problem(api.get("/api/trending?window=year"), 422, detail_has="window")


def test_trending_on_a_quiet_site_is_the_list_as_of_the_latest_featured_day(
    api: Client, world: World
) -> None:
    with time_machine.travel(NOW + timedelta(days=60), tick=False):
        response = api.get("/api/trending?window=week")
        assert response["X-Trending-As-Of"] == NOW.date().isoformat()
        again = api.get("/api/trending?window=week")  # the cached answer keeps its headers
        assert again["X-Trending-As-Of"] == NOW.date().isoformat()
        assert ids(response)[0] == "2603.00002" and "Link" not in response
    cache.clear()  # back to "now": not the answer cached sixty days later
    assert "X-Trending-As-Of" not in api.get("/api/trending?window=week")


# One paper --------------------------------------------------------------------------------


def test_a_paper_in_every_form_of_its_id(api: Client, world: World) -> None:
    body = api.get("/api/papers/2603.00001").json()
    assert body["id"] == "2603.00001" and body["upvotes"] == 7 and body["numComments"] == 2
    assert body["submittedOnDailyAt"] == "2026-03-14T00:00:00Z"
    assert body["submittedOnDailyBy"]["user"] == "ada"
    assert body["arxivUrl"] == "https://arxiv.org/abs/2603.00001" and body["version"] == 1
    assert api.get("/api/papers/2603.00001v3").json()["id"] == "2603.00001"
    assert api.get("/api/papers/arXiv:2603.00001").json()["id"] == "2603.00001"
    old = api.get("/api/papers/hep-th/9901001").json()
    assert old["id"] == "hep-th/9901001" and old["submittedOnDailyBy"] is None


@pytest.mark.parametrize("arxiv_id", ["2501.99999", "not-an-id", "hep-th/0000000", "x" * 5000])
def test_an_unknown_paper_is_a_404_problem(api: Client, world: World, arxiv_id: str) -> None:
    assert_problem(api.get(f"/api/papers/{arxiv_id}"), 404, detail_has="not in this catalog")


def test_an_unknown_paper_says_how_to_submit_it_through_the_api(api: Client, world: World) -> None:
    detail = api.get("/api/papers/2501.99999/similar").json()["detail"]
    assert detail == (
        "arXiv:2501.99999 is not in this catalog; submit it with POST /api/papers/index "
        "to fetch it from arXiv."
    )
    long = api.get("/api/papers/" + "x" * 5000).json()["detail"]
    assert long.startswith("arXiv:" + "x" * 77 + "... is not in this catalog; submit it")


# Search and similar -----------------------------------------------------------------------


def test_search_finds_papers_with_their_community_signal(api: Client, indexed: World) -> None:
    response = api.get("/api/papers/search?q=diffusion")
    assert set(ids(response)) == {"2603.00001", "2603.00005"}
    featured = next(i for i in response.json() if i["paper"]["id"] == "2603.00001")
    assert featured["paper"]["upvotes"] == 7 and featured["numComments"] == 2
    assert featured["submittedOnDailyBy"]["user"] == "ada" and featured["score"] > 0
    other = next(i for i in response.json() if i["paper"]["id"] == "2603.00005")
    assert other["submittedOnDailyAt"] is None and other["paper"]["upvotes"] == 0


def test_search_modes_filters_and_pages(api: Client, indexed: World) -> None:
    assert ids(api.get("/api/papers/search?q=weather&category=physics.ao-ph")) == ["2603.00002"]
    assert ids(api.get("/api/papers/search?category=hep-th")) == ["hep-th/9901001"]
    assert ids(api.get("/api/papers/search?q=strings&before=2000-01-01")) == ["hep-th/9901001"]
    assert ids(api.get("/api/papers/search?q=strings&after=2000-01-01")) == []
    assert "2603.00002" in ids(api.get("/api/papers/search?q=weather&author=Alan Turing"))
    keyword = api.get("/api/papers/search?q=weather&mode=keyword&limit=1")
    assert len(ids(keyword)) == 1 and 'p=1>; rel="next"' in keyword["Link"]
    second = api.get("/api/papers/search?q=weather&mode=keyword&limit=1&p=1")
    assert len(ids(second)) == 1 and ids(second) != ids(keyword)
    assert not second.has_header("Link")
    assert ids(api.get("/api/papers/search?q=weather&mode=keyword&limit=1&p=2")) == []
    # Without vectors, semantic search finds nothing and says why.
    semantic = api.get("/api/papers/search?q=weather&mode=semantic")
    assert ids(semantic) == [] and semantic["X-Search-Semantic"] == "unavailable"
    assert ids(api.get("/api/papers/search?q=")) == []
    assert ids(api.get("/api/papers/search?q=2603.00003"))[0] == "2603.00003"


@pytest.mark.parametrize(
    "query",
    [
        "mode=fuzzy",
        "after=2026-02-30",
        "limit=0",
        "p=-1",
        "q=" + "x" * 2001,
        "category=" + "c" * 41,
    ],
)
def test_search_bad_parameters_are_422_problems(api: Client, indexed: World, query: str) -> None:
    assert_problem(api.get(f"/api/papers/search?{query}"), 422)


@pytest.mark.parametrize("q", ['"unclosed', "author:", "cat:", "((", "-", "\u0000", "é" * 500])
def test_odd_queries_never_fail(api: Client, indexed: World, q: str) -> None:
    assert api.get("/api/papers/search", {"q": q}).status_code == 200


def test_similar_papers(api: Client, indexed: World) -> None:
    found = ids(api.get("/api/papers/2603.00005/similar?limit=3"))
    assert "2603.00005" not in found and 0 < len(found) <= 3
    assert ids(api.get("/api/papers/hep-th/9901001/similar")) is not None
    assert_problem(api.get("/api/papers/2501.99999/similar"), 404)
    assert_problem(api.get("/api/papers/2603.00005/similar?limit=0"), 422)


# Comments ---------------------------------------------------------------------------------


def test_comments_are_listed_oldest_first_without_hidden_ones(
    api: Client, world: World, user: Any, moderator: Any
) -> None:
    paper = world.papers["2603.00001"]
    first = comment_create(user=user, paper=paper, body="Nice *result*")
    hidden = comment_create(user=user, paper=paper, body="spam")
    comment_hide(user=moderator, comment=hidden, hidden=True)
    body = api.get("/api/papers/2603.00001/comments").json()
    assert [c["id"] for c in body] == [first.pk]
    assert body[0]["author"] == "ada" and body[0]["html"] == "<p>Nice <em>result</em></p>\n"
    assert body[0]["paperId"] == "2603.00001" and body[0]["hidden"] is False
    assert api.get("/api/papers/hep-th/9901001/comments").json() == []
    assert_problem(api.get("/api/papers/2501.99999/comments"), 404)
