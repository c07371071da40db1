"""`/api/daily_papers` page by page: every sort, submitter and page answers what the endpoint
answered when it sorted, filtered and sliced the whole period in Python, and a page deep in a
month reads one page of rows from the database, not the month."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperfeed.community.models import Featured
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db

FEBRUARY = (date(2026, 2, 1), date(2026, 3, 1))
SUBMITTERS = ("ada", "alan", "grace")


def feature_many(count: int, *, days: tuple[date, date], seed: int = 7) -> list[Featured]:
    """`count` papers featured on days from `days[0]` to `days[1]` (inclusive), with many ties
    in upvotes and trending keys, and arXiv ids in another order than the rows' ids (the votes
    orders break ties by arXiv id, trending by row)."""
    rng = random.Random(seed)
    stamp = datetime(2026, 3, 1, tzinfo=UTC)
    numbers = list(range(1, count + 1))
    rng.shuffle(numbers)
    papers = Paper.objects.bulk_create(
        Paper(arxiv_id=f"2602.{n:05d}", title=f"Paper {n}", published=stamp, source="test",
              last_source="test", created_at=stamp, modified_at=stamp)
        for n in numbers
    )  # fmt: skip
    span = (days[1] - days[0]).days
    return Featured.objects.bulk_create(
        Featured(
            paper=paper,
            featured_on=days[0] + timedelta(days=rng.randint(0, span)),
            submitted_by=rng.choice(SUBMITTERS),
            source="hf-daily",
            source_upvotes=rng.randint(0, 4),
            votes=rng.choice((0, 0, 1)),
            trend=rng.choice((0.0, 0.0, 1.5, rng.random())),
        )
        for paper in papers
    )


def as_before(
    rows: list[Featured], *, sort: str, submitter: str | None, p: int, limit: int
) -> tuple[list[str], bool]:
    """The page (arXiv ids) and whether a next one was announced, as the endpoint computed them
    before its list came from a selector: the period by votes or trending in SQL, then a stable
    sort by day for `publishedAt`, the submitter filter and the slice in Python."""
    listed = [r for r in rows if FEBRUARY[0] <= r.featured_on < FEBRUARY[1]]
    if sort == "trending":
        listed.sort(key=lambda r: (-r.trend, -r.featured_on.toordinal(), r.paper_id))
    else:
        listed.sort(key=lambda r: (-r.upvotes, -r.featured_on.toordinal(), r.paper.arxiv_id))
        if sort == "publishedAt":
            listed.sort(key=lambda r: r.featured_on, reverse=True)
    if submitter is not None:
        listed = [r for r in listed if r.submitted_by == submitter]
    size = min(limit, 100)
    start = p * size
    return [r.paper.arxiv_id for r in listed[start : start + size]], len(listed) > start + size


def page(api: Client, query: str) -> tuple[list[str], bool]:
    response = api.get(f"/api/daily_papers?{query}")
    assert response.status_code == 200, (query, response.content[:300])
    return [item["paper"]["id"] for item in response.json()], response.has_header("Link")


def test_every_sort_submitter_and_page_answers_as_before(api: Client) -> None:
    # Days just outside February too: the month's edges.
    rows = feature_many(150, days=(date(2026, 1, 30), date(2026, 3, 2)))
    for sort in ("publishedAt", "votes", "trending"):
        for submitter in (None, "grace", "nobody"):
            for p, limit in ((0, 7), (3, 7), (6, 7), (1, 50), (0, 100), (0, 500), (40, 7)):
                query = f"month=2026-02&sort={sort}&p={p}&limit={limit}"
                if submitter is not None:
                    query += f"&submitter={submitter}"
                expected = as_before(rows, sort=sort, submitter=submitter, p=p, limit=limit)
                assert page(api, query) == expected, query


def test_a_week_and_a_day_page_as_before(api: Client) -> None:
    rows = feature_many(60, days=(date(2026, 2, 8), date(2026, 2, 10)))
    day = [r for r in rows if r.featured_on == date(2026, 2, 9)]
    for p in range(5):
        expected = as_before(day, sort="publishedAt", submitter=None, p=p, limit=5)
        assert page(api, f"date=2026-02-09&limit=5&p={p}") == expected
    week = page(api, "week=2026-W06&sort=votes&limit=100")  # 2 to 8 February
    expected = as_before(
        [r for r in rows if r.featured_on <= date(2026, 2, 8)],
        sort="votes", submitter=None, p=0, limit=100,
    )  # fmt: skip
    assert week == expected


@pytest.fixture
def rows_read(monkeypatch: pytest.MonkeyPatch) -> Callable[[], dict[str, int]]:
    """How many featured and paper rows the ORM has turned into objects since it was asked."""
    counts = {"featured": 0, "paper": 0}
    for model, name in ((Featured, "featured"), (Paper, "paper")):
        original = model.from_db.__func__  # type: ignore[attr-defined]

        def counting(cls: Any, *args: Any, _name: str = name, _orig: Any = original) -> Any:
            counts[_name] += 1
            return _orig(cls, *args)

        monkeypatch.setattr(model, "from_db", classmethod(counting))
    return lambda: dict(counts)


def test_a_deep_page_of_a_month_reads_one_page_of_rows(
    api: Client, rows_read: Callable[[], dict[str, int]]
) -> None:
    rows = feature_many(520, days=(date(2026, 2, 1), date(2026, 2, 28)))
    for sort in ("publishedAt", "votes", "trending"):
        query = f"month=2026-02&sort={sort}&limit=50&p=8"  # rows 400 to 449
        before = rows_read()
        with CaptureQueriesContext(connection) as queries:
            ids, more = page(api, query)
        after = rows_read()
        assert (ids, more) == as_before(rows, sort=sort, submitter=None, p=8, limit=50)
        assert len(ids) == 50 and more
        # One more row than the page says whether a next page exists; the month is not read.
        assert after["featured"] - before["featured"] == 51, query
        assert after["paper"] - before["paper"] == 51, query
        # The page, then its papers' code badges, project pages and key phrases.
        assert len(queries) == 4, [q["sql"] for q in queries.captured_queries]
        assert "LIMIT 51 OFFSET 400" in queries[0]["sql"]


def test_a_submitter_with_a_nul_matches_nobody_on_every_database(api: Client) -> None:
    feature_many(5, days=FEBRUARY)
    assert page(api, "month=2026-02&submitter=gr%00ace") == ([], False)
