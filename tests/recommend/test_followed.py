"""Followed authors' new papers: `followed_author_papers`, and For you, where they reach every
reader who follows the author, whatever their library holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import Client

from paperfeed.accounts.models import LibraryEntry
from paperfeed.papers.models import Paper
from paperfeed.recommend.importing import interest_add
from paperfeed.recommend.selectors import (
    followed_author_papers,
    for_you_recommendations,
    recommendations_for,
)
from paperfeed.recommend.services import dismissal_set
from tests.recommend.conftest import by_title

pytestmark = pytest.mark.django_db
SINCE = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
Reader = Callable[..., User]


def ids(recs: list) -> list[str]:
    return [r.paper.arxiv_id for r in recs]


def outside_the_picks(catalog: list[Paper], person: User, limit: int) -> Paper:
    """A paper the reader's model does not pick, by an author with no other paper here."""
    picked = set(ids(recommendations_for(user=person, since=SINCE, limit=limit)))
    counts: dict[str, int] = {}
    for paper in catalog:
        for name in paper.authors:
            counts[name] = counts.get(name, 0) + 1
    return next(
        p for p in reversed(catalog)
        if p.arxiv_id not in picked and counts[p.authors[0]] == 1
        and not LibraryEntry.objects.filter(user=person, paper=p).exists()
    )  # fmt: skip


def test_a_followed_authors_new_paper_reaches_a_reader_with_a_library(
    catalog: list[Paper], reader: Reader
) -> None:
    person = reader(by_title(catalog, "splat")[:3])
    paper = outside_the_picks(catalog, person, 10)
    interest_add(user=person, kind="author", text=paper.authors[0])
    assert paper.arxiv_id not in ids(recommendations_for(user=person, since=SINCE, limit=10))
    recs = for_you_recommendations(user=person, since=SINCE, limit=10)
    assert recs[0].paper == paper and recs[0].reason == f"by {paper.authors[0]}, whom you follow"
    assert len(recs) == 10 and len(set(ids(recs))) == 10  # each paper once
    assert all(r.reason.startswith("close to") for r in recs[1:])


def test_followed_papers_respect_the_window_the_library_and_dismissals(
    catalog: list[Paper], reader: Reader
) -> None:
    person = reader(by_title(catalog, "splat")[:1])
    first = catalog[5]
    interest_add(user=person, kind="author", text=first.authors[0])
    found = followed_author_papers(user=person, since=SINCE)
    assert first.arxiv_id in ids(found)
    assert all(r.paper.published and r.paper.published >= SINCE for r in found)
    dates = [r.paper.published for r in found]
    assert dates == sorted(dates, reverse=True)  # newest first
    later = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    assert followed_author_papers(user=person, since=later) == []
    dismissal_set(user=person, paper=first)
    assert first.arxiv_id not in ids(followed_author_papers(user=person, since=SINCE))
    assert first.arxiv_id not in ids(for_you_recommendations(user=person, since=SINCE, limit=50))
    saved = by_title(catalog, "splat")[0]
    interest_add(user=person, kind="author", text=saved.authors[0])
    assert saved.arxiv_id not in ids(followed_author_papers(user=person, since=SINCE))


def test_followed_papers_take_at_most_half_the_list(catalog: list[Paper], reader: Reader) -> None:
    person = reader(by_title(catalog, "splat")[:3])
    for paper in catalog[:30]:
        interest_add(user=person, kind="author", text=paper.authors[0])
    recs = for_you_recommendations(user=person, since=SINCE, limit=10)
    reasons = [r.reason.endswith("whom you follow") for r in recs]
    assert reasons == [True] * 5 + [False] * 5 and len(set(ids(recs))) == 10
    assert len(followed_author_papers(user=person, since=SINCE, limit=7)) == 7


def test_nobody_follows_without_an_account(catalog: list[Paper]) -> None:
    assert followed_author_papers(user=AnonymousUser(), since=SINCE) == []
    assert followed_author_papers(user=None, since=SINCE) == []
    assert for_you_recommendations(user=None, since=SINCE) == []


def test_the_for_you_page_shows_followed_authors_beside_the_library(
    catalog: list[Paper], reader: Reader
) -> None:
    person = reader(by_title(catalog, "splat")[:3])
    paper = outside_the_picks(catalog, person, 50)
    client = Client()
    client.force_login(person)
    client.post(f"/authors/{paper.authors[0]}/follow", {"on": "1"})
    page = client.get("/for-you?window=month").content.decode()
    assert f"by {paper.authors[0]}, whom you follow" in page
    assert f'href="/papers/{paper.arxiv_id}"' in page
