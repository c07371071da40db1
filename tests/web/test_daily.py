"""The daily lists (day, week, month) and the trending page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from paperfeed.community.selectors import daily_papers
from paperfeed.community.services import vote_set
from paperfeed.lib.periods import period_parse
from paperfeed.web.views.daily import LIST_CACHE_SECONDS
from tests.web.conftest import NOW, World

pytestmark = pytest.mark.django_db


def titles_in_order(html: str, *titles: str) -> bool:
    positions = [html.index(t) for t in titles]
    return positions == sorted(positions)


def test_the_home_page_shows_the_latest_featured_day_by_votes(client: Client, world: World) -> None:
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "14 March 2026" in html
    assert titles_in_order(html, "Graph networks for weather", "Sparse diffusion transformers")
    assert "A survey of state space models" not in html  # featured on another day
    assert "Submitted by <strong>alan</strong>" in html
    assert 'href="https://arxiv.org/pdf/2603.00002"' in html
    assert 'href="/papers/2603.00002"' in html
    # Six authors: the card names four and says "et al."
    assert "Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra et al." in html


def test_the_home_page_falls_back_to_the_latest_day_with_papers(
    client: Client, world: World
) -> None:
    world.featured["2603.00001"].delete()
    world.featured["2603.00002"].delete()
    html = client.get("/").content.decode()
    assert "12 March 2026" in html and "A survey of state space models" in html


def test_an_empty_catalog_has_a_friendly_home_page(client: Client, clock: None) -> None:
    html = client.get("/").content.decode()
    assert "No papers featured on this day" in html


def test_day_links_skip_empty_days(client: Client, world: World) -> None:
    html = client.get("/papers/date/2026-03-12").content.decode()
    assert 'href="/papers/date/2026-03-10"' in html  # 11 March is empty
    assert 'href="/papers/date/2026-03-14"' in html  # and so is 13 March
    assert "A survey of state space models" in html
    last = client.get("/papers/date/2026-03-14").content.decode()
    assert 'rel="next"' not in last  # nothing featured after the latest day


def test_an_empty_day_says_so_and_links_to_the_previous_featured_day(
    client: Client, world: World
) -> None:
    html = client.get("/papers/date/2026-03-13").content.decode()
    assert "No papers featured on this day" in html
    assert 'href="/papers/date/2026-03-12"' in html


def test_week_and_month_views_list_every_featured_day(client: Client, world: World) -> None:
    week = client.get("/papers/week/2026-W11").content.decode()
    assert "Week 11, 2026" in week
    for title in ("Graph networks", "Sparse diffusion", "A survey of state", "Reinforcement"):
        assert title in week
    assert titles_in_order(week, "Graph networks", "Sparse diffusion", "A survey of state")
    assert 'href="/papers/week/2026-W10"' in week
    assert 'href="/papers/week/2026-W12"' not in week  # the future
    month = client.get("/papers/month/2026-03").content.decode()
    assert "March 2026" in month and "Reinforcement learning" in month
    assert 'href="/papers/month/2026-02"' in month


def test_the_period_switch_links_to_the_week_and_month_of_the_day(
    client: Client, world: World
) -> None:
    html = client.get("/papers/date/2026-03-12").content.decode()
    assert 'href="/papers/week/2026-W11"' in html and 'href="/papers/month/2026-03"' in html


def test_sorting_by_trending_follows_the_trending_score(
    client: Client, world: World, user: Any
) -> None:
    vote_set(user=user, paper=world.papers["2603.00003"], on=True)  # a vote cast just now
    html = client.get("/papers/week/2026-W11?sort=trending").content.decode()
    assert 'aria-current="true">Trending' in html
    expected = daily_papers(period=period_parse("week", "2026-W11"), sort="trending")
    assert titles_in_order(html, *(e.paper.title for e in expected))
    odd = client.get("/papers/date/2026-03-14?sort=%3Cscript%3E").content.decode()
    assert 'aria-current="true">Most votes' in odd  # an unknown sort falls back to votes


@pytest.mark.parametrize(
    "url",
    [
        "/papers/date/2026-02-30",
        "/papers/date/2026-3-1",
        "/papers/date/yesterday",
        "/papers/date/0001-01-01",
        "/papers/week/2026-W54",
        "/papers/week/2026-11",
        "/papers/month/2026-13",
        "/papers/month/" + "9" * 500,
    ],
)
def test_malformed_dates_are_a_helpful_404(client: Client, clock: None, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 404
    html = page.content.decode()
    assert "Page not found" in html
    assert "Try /papers/" in html  # an example of a date that works


def test_trending_ranks_within_the_window(client: Client, world: World) -> None:
    page = client.get("/trending?window=week")
    html = page.content.decode()
    assert page.status_code == 200
    assert titles_in_order(html, "Graph networks", "Sparse diffusion", "A survey of state")
    day = client.get("/trending?window=day").content.decode()
    assert "Graph networks" in day and "A survey of state" not in day  # two days back
    assert client.get("/trending?window=decade").status_code == 200  # the default window
    assert client.get("/trending?page=abc").status_code == 200
    assert "Nothing is trending" in client.get("/trending?page=9").content.decode()


@pytest.mark.parametrize("url", ["/", "/papers/week/2026-W11", "/trending?window=month"])
def test_lists_take_a_bounded_number_of_queries(
    member: Client, world: World, url: str, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        assert member.get(url).status_code == 200


def test_anonymous_pages_carry_no_csrf_token_and_their_upvote_leads_to_login(
    world: World,
) -> None:
    page = Client().get("/")
    html = page.content.decode()
    assert "csrfmiddlewaretoken" not in html and "X-CSRFToken" not in html
    assert "csrftoken" not in page.cookies
    assert '<form class="vote" method="get" action="/accounts/login/">' in html


def test_anonymous_visitors_share_a_list_for_a_few_seconds_members_see_it_at_once(
    member: Client, user: Any, world: World
) -> None:
    anonymous = Client()
    before = anonymous.get("/").content
    vote_set(user=user, paper=world.papers["2603.00001"], on=True)
    assert anonymous.get("/").content == before  # the same rendering, a vote behind
    assert 'aria-pressed="true"' in member.get("/").content.decode()  # never cached
    later = NOW + timedelta(seconds=LIST_CACHE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert "Remove your upvote" not in anonymous.get("/").content.decode()
        assert "(8 upvotes)" in anonymous.get("/").content.decode()  # 7 imported, 1 here


def test_a_quiet_site_shows_what_trended_at_its_latest_featured_day(
    client: Client, world: World
) -> None:
    with time_machine.travel(datetime(2026, 5, 20, 9, 0, tzinfo=UTC), tick=False):
        html = client.get("/trending?window=week").content.decode()
    assert "trending at the end of 14 March 2026" in html
    assert titles_in_order(html, "Graph networks", "Sparse diffusion", "A survey of state")
    assert "Nothing is trending" not in html
