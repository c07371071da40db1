"""The daily, weekly and monthly lists, and the links between featured days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User

from paperfeed.community.selectors import daily_papers, featured_latest_day, featured_neighbours
from paperfeed.community.services import comment_create, comment_hide, vote_set
from paperfeed.lib.periods import period_parse
from tests.community.factories import feature, make_paper

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 18, tzinfo=UTC)


def ids(entries: list) -> list[str]:
    return [e.paper.arxiv_id for e in entries]


def test_a_day_lists_its_papers_by_votes_then_day_then_id(make_user: Callable[..., User]) -> None:
    day = date(2026, 3, 14)
    feature(make_paper("2603.00003"), day, upvotes=5)
    feature(make_paper("2603.00002"), day, upvotes=5)
    local = make_paper("2603.00001")
    feature(local, day, upvotes=4)
    for _ in range(2):  # local votes add to imported ones
        vote_set(user=make_user(), paper=local, on=True, now=NOW)
    feature(make_paper("2603.00009"), date(2026, 3, 13), upvotes=50)
    entries = daily_papers(period=period_parse("day", "2026-03-14"), now=NOW)
    assert ids(entries) == ["2603.00001", "2603.00002", "2603.00003"]
    assert [e.upvotes for e in entries] == [6, 5, 5]
    assert all(e.featured_on == day and e.submitted_by == "someone" for e in entries)


def test_a_week_covers_monday_to_sunday_and_breaks_ties_by_the_later_day() -> None:
    feature(make_paper("2603.00001"), date(2026, 3, 9), upvotes=3)  # Monday of W11
    feature(make_paper("2603.00002"), date(2026, 3, 15), upvotes=3)  # Sunday of W11
    feature(make_paper("2603.00003"), date(2026, 3, 8), upvotes=9)  # W10
    feature(make_paper("2603.00004"), date(2026, 3, 16), upvotes=9)  # W12
    entries = daily_papers(period=period_parse("week", "2026-W11"), now=NOW)
    assert ids(entries) == ["2603.00002", "2603.00001"]


def test_a_month_can_be_sorted_by_trending() -> None:
    feature(make_paper("2603.00001"), date(2026, 3, 1), upvotes=10)
    feature(make_paper("2603.00002"), date(2026, 3, 14), upvotes=3)
    feature(make_paper("2604.00001"), date(2026, 4, 1), upvotes=1)
    period = period_parse("month", "2026-03")
    assert ids(daily_papers(period=period, sort="votes", now=NOW)) == ["2603.00001", "2603.00002"]
    trending = daily_papers(period=period, sort="trending", now=NOW)
    assert ids(trending) == ["2603.00002", "2603.00001"]
    assert trending[0].score > trending[1].score > 0


def test_an_unknown_sort_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'newest' is not a sort order"):
        daily_papers(period=period_parse("day", "2026-03-14"), sort="newest")


def test_comments_count_imported_and_visible_local_ones(
    user: User, make_user: Callable[..., User]
) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14), comments=2)
    comment_create(user=user, paper=paper, body="Nice.")
    rude = comment_create(user=user, paper=paper, body="Rude.")
    comment_hide(user=make_user(is_staff=True), comment=rude, hidden=True)
    [entry] = daily_papers(period=period_parse("day", "2026-03-14"), now=NOW)
    assert entry.comments == 3


def test_entries_say_whether_the_user_voted(user: User, make_user: Callable[..., User]) -> None:
    mine, theirs = make_paper("2603.00001"), make_paper("2603.00002")
    for paper in (mine, theirs):
        feature(paper, date(2026, 3, 14))
    vote_set(user=user, paper=mine, on=True, now=NOW)
    vote_set(user=make_user(), paper=theirs, on=True, now=NOW)
    period = period_parse("day", "2026-03-14")
    voted = {e.paper.arxiv_id: e.voted for e in daily_papers(period=period, user=user, now=NOW)}
    assert voted == {"2603.00001": True, "2603.00002": False}
    for nobody in (None, AnonymousUser()):
        assert not any(e.voted for e in daily_papers(period=period, user=nobody, now=NOW))


def test_rendering_a_day_of_cards_takes_three_queries(
    user: User, django_assert_max_num_queries: Callable
) -> None:
    for n in range(1, 30):
        paper = make_paper(f"2603.{n:05d}", authors=["Grace Hopper", f"Coauthor {n}"])
        feature(paper, date(2026, 3, 14), upvotes=n)
    # The featured rows with their papers, the user's votes, the papers' code badges.
    with django_assert_max_num_queries(3):
        entries = daily_papers(period=period_parse("day", "2026-03-14"), user=user, now=NOW)
        cards = [
            (e.paper.title, e.paper.authors, e.paper.category_list, e.paper.arxiv_id, e.voted,
             e.paper.abstract, e.code)
            for e in entries
        ]  # fmt: skip
    assert len(cards) == 29
    assert cards[0][1] == ["Grace Hopper", "Coauthor 29"]  # names in order, from the row


def test_the_latest_featured_day_and_its_neighbours_skip_empty_days() -> None:
    assert featured_latest_day() is None
    assert featured_neighbours(day=date(2026, 3, 14)) == (None, None)
    for n, day in enumerate([date(2026, 3, 2), date(2026, 3, 10), date(2026, 3, 13)], start=1):
        feature(make_paper(f"2603.0000{n}"), day)
    assert featured_latest_day() == date(2026, 3, 13)
    assert featured_latest_day(on_or_before=date(2026, 3, 12)) == date(2026, 3, 10)
    assert featured_latest_day(on_or_before=date(2026, 3, 10)) == date(2026, 3, 10)
    assert featured_latest_day(on_or_before=date(2026, 3, 1)) is None
    assert featured_neighbours(day=date(2026, 3, 10)) == (date(2026, 3, 2), date(2026, 3, 13))
    assert featured_neighbours(day=date(2026, 3, 5)) == (date(2026, 3, 2), date(2026, 3, 10))
    assert featured_neighbours(day=date(2026, 3, 2)) == (None, date(2026, 3, 10))
    assert featured_neighbours(day=date(2026, 3, 13)) == (date(2026, 3, 10), None)
