"""The trending score and the trending list, with a pinned clock."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from pytest_django.fixtures import Settings

from paperfeed.community.models import Featured
from paperfeed.community.selectors import trending
from paperfeed.community.services import comment_create, vote_set
from paperfeed.community.trending import trend_key, trend_score
from tests.community.factories import feature, make_paper

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 13, 12, tzinfo=UTC)


def ids(entries: list) -> list[str]:
    return [e.paper.arxiv_id for e in entries]


def test_a_newer_paper_with_the_same_votes_ranks_higher() -> None:
    feature(make_paper("2603.00001"), date(2026, 3, 10), upvotes=10)
    feature(make_paper("2603.00002"), date(2026, 3, 12), upvotes=10)
    entries = trending(window="week", now=NOW)
    assert ids(entries) == ["2603.00002", "2603.00001"]
    assert entries[0].score > entries[1].score > 0


def test_the_score_halves_every_half_life_and_decays_smoothly(settings: Settings) -> None:
    settings.PAPERFEED_TRENDING_HALF_LIFE_HOURS = 48
    feature(make_paper("2603.00001"), date(2026, 3, 12), upvotes=8)
    start = datetime(2026, 3, 12, tzinfo=UTC)  # imported upvotes count from the featured day
    scores = [trending(window="month", now=start + timedelta(hours=h))[0].score for h in range(97)]
    assert scores[0] == pytest.approx(8)
    assert scores[48] == pytest.approx(4)
    assert scores[96] == pytest.approx(2)
    # Strictly decreasing, by the same factor every hour: no steps, no jumps.
    ratios = [later / earlier for earlier, later in zip(scores, scores[1:], strict=False)]
    assert all(r < 1 for r in ratios)
    assert max(ratios) - min(ratios) < 1e-9
    assert ratios[0] == pytest.approx(2 ** (-1 / 48))


def test_a_fresh_vote_outweighs_an_old_one(make_user: Callable[..., User]) -> None:
    old = make_paper("2603.00001")
    fresh = make_paper("2603.00002")
    feature(old, date(2026, 3, 6), upvotes=2)
    feature(fresh, date(2026, 3, 6))
    for _ in range(2):
        vote_set(user=make_user(), paper=fresh, on=True, now=NOW - timedelta(hours=1))
    entries = trending(window="week", now=NOW)
    assert ids(entries) == ["2603.00002", "2603.00001"]
    assert entries[0].upvotes == entries[1].upvotes == 2
    assert entries[0].score == pytest.approx(2 * 2 ** (-1 / 48))


def test_a_comment_counts_half_a_vote(make_user: Callable[..., User]) -> None:
    voted = make_paper("2603.00001")
    discussed = make_paper("2603.00002")
    feature(voted, date(2026, 3, 12))
    feature(discussed, date(2026, 3, 12))
    with time_machine.travel(NOW, tick=False):
        vote_set(user=make_user(), paper=voted, on=True)
        comment_create(user=make_user(), paper=discussed, body="one")
        comment_create(user=make_user(), paper=discussed, body="two")
    scores = {e.paper.arxiv_id: e.score for e in trending(window="week", now=NOW)}
    assert scores["2603.00001"] == pytest.approx(1.0)
    assert scores["2603.00002"] == pytest.approx(1.0)


def test_ties_go_to_the_later_featured_day_then_the_paper_stored_first() -> None:
    for arxiv_id, day in [("2603.00003", 11), ("2603.00001", 11), ("2603.00002", 12)]:
        feature(make_paper(arxiv_id), date(2026, 3, day))
    # Nothing counts yet: every score is 0.
    assert ids(trending(window="week", now=NOW)) == ["2603.00002", "2603.00003", "2603.00001"]
    for arxiv_id in ("2603.00004", "2603.00005"):
        feature(make_paper(arxiv_id), date(2026, 3, 10), upvotes=3)
    assert ids(trending(window="week", now=NOW))[:2] == ["2603.00004", "2603.00005"]


def test_the_window_limits_the_candidates_by_featured_day() -> None:
    days = {"2603.00001": 13, "2603.00002": 12, "2603.00003": 8, "2603.00004": 1}
    for arxiv_id, day in days.items():
        feature(make_paper(arxiv_id), date(2026, 3, day), upvotes=1)
    feature(make_paper("2603.00009"), date(2026, 3, 14), upvotes=100)  # tomorrow: not yet
    feature(make_paper("2601.00001"), date(2026, 1, 20), upvotes=100)  # long ago
    assert set(ids(trending(window="day", now=NOW))) == {"2603.00001", "2603.00002"}
    assert set(ids(trending(window="week", now=NOW))) == {"2603.00001", "2603.00002", "2603.00003"}
    assert set(ids(trending(window="month", now=NOW))) == set(days)


def test_limit_and_offset_page_through_the_ranking() -> None:
    for n in range(1, 8):
        feature(make_paper(f"2603.0000{n}"), date(2026, 3, 12), upvotes=n)
    assert ids(trending(window="week", now=NOW, limit=3)) == [
        "2603.00007", "2603.00006", "2603.00005",
    ]  # fmt: skip
    assert ids(trending(window="week", now=NOW, limit=3, offset=3)) == [
        "2603.00004", "2603.00003", "2603.00002",
    ]  # fmt: skip
    assert trending(window="week", now=NOW, limit=3, offset=9) == []


def test_an_unknown_window_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'year' is not a trending window"):
        trending(window="year")


def test_trending_reads_a_page_in_three_queries(
    user: User, django_assert_max_num_queries: Callable
) -> None:
    for n in range(1, 10):
        paper = make_paper(f"2603.0000{n}", authors=[f"Author {n}", "Second Author"])
        feature(paper, date(2026, 3, 12), upvotes=n)
        vote_set(user=user, paper=paper, on=n % 2 == 0, now=NOW)
    # The rows with their papers, the user's votes, the papers' code badges.
    with django_assert_max_num_queries(3):
        entries = trending(window="week", user=user, now=NOW)
        shown = [
            (e.paper.title, e.paper.authors, e.paper.category_list, e.voted, e.code)
            for e in entries
        ]
    assert len(shown) == 9
    assert shown[0][1] == ["Author 8", "Second Author"]  # 8 imported + a fresh vote
    assert [e.voted for e in entries] == [n % 2 == 0 for n in (8, 9, 6, 7, 4, 5, 2, 3, 1)]
    assert [e.upvotes for e in entries] == [9, 9, 7, 7, 5, 5, 3, 3, 1]


def test_taking_a_vote_back_restores_the_score(user: User) -> None:
    paper = make_paper("2603.00001")
    before = feature(paper, date(2026, 3, 12), upvotes=5).trend
    vote_set(user=user, paper=paper, on=True, now=NOW)
    assert Featured.objects.get(paper=paper).trend > before
    vote_set(user=user, paper=paper, on=False)
    assert Featured.objects.get(paper=paper).trend == pytest.approx(before, abs=1e-12)


def test_the_key_neither_overflows_nor_loses_precision_across_decades() -> None:
    early = datetime(1991, 8, 14, tzinfo=UTC)
    late = datetime(2090, 1, 1, tzinfo=UTC)
    for when in (early, late):
        key = trend_key([(when, 3.0), (when + timedelta(hours=48), 1.0)])
        assert math.isfinite(key)
        assert trend_score(key, now=when + timedelta(hours=48)) == pytest.approx(2.5)
    assert trend_key([]) == 0.0
    assert trend_score(0.0, now=NOW) == 0.0


def test_rebuild_trending_recomputes_keys_after_the_half_life_changes(
    settings: Settings, user: User
) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 12), upvotes=4)
    vote_set(user=user, paper=paper, on=True, now=NOW)
    Featured.objects.update(votes=0, comment_count=7)  # drifted by hand
    settings.PAPERFEED_TRENDING_HALF_LIFE_HOURS = 24
    out = io.StringIO()
    call_command("rebuild_trending", stdout=out)
    assert "1 featured papers changed" in out.getvalue()
    row = Featured.objects.get(paper=paper)
    assert (row.votes, row.comment_count) == (1, 0)
    # 4 imported upvotes dated 2026-03-12 00:00 and one vote at NOW, 36 hours later.
    assert trend_score(row.trend, now=NOW) == pytest.approx(4 * 2 ** (-36 / 24) + 1)
    call_command("rebuild_trending", stdout=out)
    assert "0 featured papers changed" in out.getvalue()


def test_the_ranking_reads_the_covering_index_not_the_papers() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL chooses its own")
    with CaptureQueriesContext(connection) as queries:
        trending(window="month", now=NOW)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + queries.captured_queries[0]["sql"])
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX featured_day_trend" in plan
    assert "SCAN" not in plan  # no full scan of any table


def test_the_migration_gives_papers_featured_before_it_their_imported_trend() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("paperfeed.community.migrations.0002_votes_comments_trend")
    row = feature(make_paper("2603.00001"), date(2026, 3, 12), upvotes=6)
    expected = row.trend
    Featured.objects.update(trend=0.0)  # as every row stood before the migration
    migration.imported_trend(apps, None)
    assert Featured.objects.get().trend == pytest.approx(expected)
