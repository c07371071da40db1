"""A user's library of papers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from paperfeed.accounts.models import LibraryEntry
from paperfeed.accounts.selectors import library_ids, library_papers
from paperfeed.accounts.services import library_set
from tests.community.factories import make_paper

pytestmark = pytest.mark.django_db


def test_library_set_is_idempotent(user: User) -> None:
    paper = make_paper("2603.00001")
    assert library_set(user=user, paper=paper, on=True) is True
    assert library_set(user=user, paper=paper, on=True) is True
    assert LibraryEntry.objects.count() == 1
    assert library_set(user=user, paper=paper, on=False) is False
    assert library_set(user=user, paper=paper, on=False) is False
    assert LibraryEntry.objects.count() == 0


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_anonymous_people_have_no_library(nobody: AnonymousUser | None) -> None:
    paper = make_paper("2603.00001")
    with pytest.raises(PermissionDenied, match="Log in to keep a library and saved searches."):
        library_set(user=nobody, paper=paper, on=True)
    assert list(library_papers(user=nobody)) == []
    assert library_ids(user=nobody, paper_ids=[paper.pk]) == set()


def test_library_papers_lists_the_latest_added_first_and_only_mine(
    user: User, make_user: Callable[..., User], django_assert_max_num_queries: Callable
) -> None:
    papers = [make_paper(f"2603.0000{n}", authors=[f"Author {n}", "B"]) for n in range(1, 4)]
    for day, paper in zip((3, 1, 2), papers, strict=True):
        with time_machine.travel(f"2026-03-0{day} 12:00Z", tick=False):
            library_set(user=user, paper=paper, on=True)
    library_set(user=make_user(), paper=make_paper("2603.00009"), on=True)
    with django_assert_max_num_queries(1):
        listed = [(p.arxiv_id, p.authors) for p in library_papers(user=user)]
    assert listed == [
        ("2603.00001", ["Author 1", "B"]),
        ("2603.00003", ["Author 3", "B"]),
        ("2603.00002", ["Author 2", "B"]),
    ]


def test_library_ids_picks_the_papers_in_the_library_in_one_query(
    user: User, django_assert_num_queries: Callable
) -> None:
    papers = [make_paper(f"2603.0000{n}") for n in range(1, 5)]
    library_set(user=user, paper=papers[1], on=True)
    library_set(user=user, paper=papers[3], on=True)
    with django_assert_num_queries(1):
        found = library_ids(user=user, paper_ids=(p.pk for p in papers))
    assert found == {papers[1].pk, papers[3].pk}
    with django_assert_num_queries(0):
        assert library_ids(user=user, paper_ids=[]) == set()
