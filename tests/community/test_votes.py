"""Upvotes: one per user and paper, toggled, counted with imported upvotes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from paperfeed.community.models import Featured, Vote
from paperfeed.community.services import VoteState, featured_upsert_batch, vote_set
from paperfeed.community.trending import trend_score
from paperfeed.lib.records import FeaturedRecord
from tests.community.factories import feature, make_paper
from tests.papers.factories import record

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 12, tzinfo=UTC)


def test_voting_is_idempotent_and_adds_to_imported_upvotes(user: User) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14), upvotes=7)
    assert vote_set(user=user, paper=paper, on=True) == VoteState(voted=True, upvotes=8)
    assert vote_set(user=user, paper=paper, on=True) == VoteState(voted=True, upvotes=8)
    assert Vote.objects.filter(user=user, paper=paper).count() == 1
    assert vote_set(user=user, paper=paper, on=False) == VoteState(voted=False, upvotes=7)
    assert vote_set(user=user, paper=paper, on=False) == VoteState(voted=False, upvotes=7)
    assert Featured.objects.get(paper=paper).votes == 0


def test_a_paper_not_featured_counts_its_votes_too(make_user: Callable[..., User]) -> None:
    paper = make_paper("2603.00001")
    states = [vote_set(user=make_user(), paper=paper, on=True) for _ in range(3)]
    assert [s.upvotes for s in states] == [1, 2, 3]


def test_a_vote_racing_another_for_the_same_paper_is_absorbed(user: User) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14))
    # A second request stored the vote between our check and our insert: the unique constraint
    # refuses the duplicate and vote_set reports the vote as it stands.
    Vote.objects.create(user=user, paper=paper, created_at=NOW)
    assert vote_set(user=user, paper=paper, on=True) == VoteState(voted=True, upvotes=0 + 1)
    assert Vote.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(user=user, paper=paper, created_at=NOW)


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_anonymous_people_cannot_vote(nobody: AnonymousUser | None) -> None:
    paper = make_paper("2603.00001")
    with pytest.raises(PermissionDenied, match="Log in to upvote"):
        vote_set(user=nobody, paper=paper, on=True)
    with pytest.raises(PermissionDenied, match="Log in to upvote"):
        vote_set(user=nobody, paper=paper, on=False)
    assert Vote.objects.count() == 0


def test_votes_cast_before_a_paper_is_featured_count_once_it_is(user: User) -> None:
    paper = make_paper("2603.00001")
    vote_set(user=user, paper=paper, on=True, now=NOW)
    item = FeaturedRecord(paper=record("2603.00001"), featured_on=date(2026, 3, 14), upvotes=2)
    assert featured_upsert_batch(records=[item], paper_ids={"2603.00001": paper.pk}, source="hf")
    row = Featured.objects.get(paper=paper)
    assert (row.votes, row.upvotes) == (1, 3)
    assert trend_score(row.trend, now=NOW) == pytest.approx(2 * 2 ** (-12 / 48) + 1)


def test_refreshed_imported_upvotes_move_the_trend(user: User) -> None:
    paper = make_paper("2603.00001")
    item = FeaturedRecord(paper=record("2603.00001"), featured_on=date(2026, 3, 14), upvotes=2)
    featured_upsert_batch(records=[item], paper_ids={"2603.00001": paper.pk}, source="hf")
    before = Featured.objects.get(paper=paper).trend
    item.upvotes = 20
    assert featured_upsert_batch(
        records=[item], paper_ids={"2603.00001": paper.pk}, source="hf"
    ) == (0, 1)
    after = Featured.objects.get(paper=paper)
    assert after.source_upvotes == 20
    assert trend_score(after.trend, now=NOW) == pytest.approx(10 * trend_score(before, now=NOW))
