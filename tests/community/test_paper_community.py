"""What the paper page and the profile read: a paper's community view, a user's votes and
submissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User

from paperfeed.accounts.services import library_set
from paperfeed.community.selectors import paper_community, user_submissions, user_voted_papers
from paperfeed.community.services import comment_create, comment_hide, paper_submit, vote_set
from tests.community.factories import feature, make_paper

pytestmark = pytest.mark.django_db


def test_a_featured_paper_shows_its_upvotes_vote_and_library(
    user: User, make_user: Callable[..., User]
) -> None:
    paper = make_paper("2603.00001")
    featured = feature(paper, date(2026, 3, 14), upvotes=10)
    vote_set(user=user, paper=paper, on=True)
    vote_set(user=make_user(), paper=paper, on=True)
    library_set(user=user, paper=paper, on=True)
    view = paper_community(paper=paper, user=user)
    assert (view.featured, view.upvotes, view.voted, view.in_library) == (featured, 12, True, True)
    stranger = paper_community(paper=paper, user=make_user())
    assert (stranger.upvotes, stranger.voted, stranger.in_library) == (12, False, False)


def test_a_paper_never_featured_counts_local_votes(user: User) -> None:
    paper = make_paper("2603.00001")
    vote_set(user=user, paper=paper, on=True)
    view = paper_community(paper=paper, user=AnonymousUser())
    assert (view.featured, view.upvotes, view.voted, view.in_library) == (None, 1, False, False)
    assert paper_community(paper=paper).comments == []


def test_comments_come_oldest_first_and_hidden_ones_only_for_moderators(
    user: User, moderator: User, make_user: Callable[..., User]
) -> None:
    paper = make_paper("2603.00001")
    for hour, body in [(12, "second"), (9, "first"), (15, "hidden")]:
        with time_machine.travel(datetime(2026, 3, 14, hour, tzinfo=UTC), tick=False):
            comment = comment_create(user=user, paper=paper, body=body)
    comment_hide(user=moderator, comment=comment, hidden=True)
    comment_create(user=user, paper=make_paper("2603.00002"), body="elsewhere")
    public = paper_community(paper=paper, user=user).comments
    assert [c.body for c in public] == ["first", "second"]
    assert public[0].author.username == "ada"
    for mod in (moderator, make_user(is_staff=True)):
        seen = paper_community(paper=paper, user=mod).comments
        assert [(c.body, c.hidden) for c in seen] == [
            ("first", False), ("second", False), ("hidden", True),
        ]  # fmt: skip


def test_comment_authors_come_with_the_comments(
    user: User, django_assert_max_num_queries: Any
) -> None:
    paper = make_paper("2603.00001")
    for n in range(20):
        comment_create(user=user, paper=paper, body=f"comment {n}")
    # featured, upvotes, voted and library (one query), the user's permissions (two queries)
    # and the comments with their authors: the same however many comments there are.
    with django_assert_max_num_queries(4):
        view = paper_community(paper=paper, user=user)
        names = [c.author.username for c in view.comments]
    assert names == ["ada"] * 20


def test_a_paper_without_comments_takes_one_query(
    user: User, moderator: User, django_assert_num_queries: Any
) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14), upvotes=3)
    vote_set(user=user, paper=paper, on=True)
    for who in (user, moderator, None):
        with django_assert_num_queries(1):  # nothing to moderate: no look at permissions
            view = paper_community(paper=paper, user=who)
        assert (view.upvotes, view.comments, view.moderator) == (4, [], False)
    assert paper_community(paper=paper, user=user).voted


def test_the_featured_row_comes_with_its_values(user: User) -> None:
    paper = make_paper("2603.00001")
    with time_machine.travel(datetime(2026, 3, 14, 9, tzinfo=UTC), tick=False):
        paper_submit(user=user, text="2603.00001", today=date(2026, 3, 14))
    featured = paper_community(paper=paper).featured
    assert featured is not None and featured.paper_id == paper.pk
    assert featured.featured_on == date(2026, 3, 14) and featured.submitted_by == "ada"
    assert featured.created_at == datetime(2026, 3, 14, 9, tzinfo=UTC)
    assert featured.submitted_user_id == user.pk and featured.upvotes == 0


def test_moderators_see_a_paper_whose_only_comment_is_hidden(user: User, moderator: User) -> None:
    paper = make_paper("2603.00001")
    comment = comment_create(user=user, paper=paper, body="rude")
    comment_hide(user=moderator, comment=comment, hidden=True)
    assert paper_community(paper=paper, user=user).comments == []
    seen = paper_community(paper=paper, user=moderator)
    assert [c.body for c in seen.comments] == ["rude"] and seen.moderator


def test_user_voted_papers_lists_the_latest_vote_first(
    user: User, make_user: Callable[..., User]
) -> None:
    papers = [make_paper(f"2603.0000{n}") for n in range(1, 4)]
    for hour, paper in zip((9, 11, 10), papers, strict=True):
        vote_set(user=user, paper=paper, on=True, now=datetime(2026, 3, 14, hour, tzinfo=UTC))
    vote_set(user=make_user(), paper=papers[0], on=True)
    voted = [p.arxiv_id for p in user_voted_papers(user=user)]
    assert voted == ["2603.00002", "2603.00003", "2603.00001"]
    assert list(user_voted_papers(user=AnonymousUser())) == []


def test_user_submissions_lists_the_newest_first(
    user: User, make_user: Callable[..., User]
) -> None:
    for n, day in [(1, 10), (2, 12), (3, 11)]:
        make_paper(f"2603.0000{n}", published=date(2026, 3, 9))
        paper_submit(user=user, text=f"2603.0000{n}", today=date(2026, 3, day))
    make_paper("2603.00009", published=date(2026, 3, 9))
    paper_submit(user=make_user(), text="2603.00009", today=date(2026, 3, 12))
    mine = [f.paper.arxiv_id for f in user_submissions(user=user)]
    assert mine == ["2603.00002", "2603.00003", "2603.00001"]
    assert list(user_submissions(user=None)) == []
