"""Saved searches: named, replaced by name, limited in number and length."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from paperfeed.accounts.models import SavedSearch
from paperfeed.accounts.selectors import saved_searches
from paperfeed.accounts.services import (
    MAX_SAVED_SEARCHES,
    saved_search_delete,
    saved_search_save,
)

pytestmark = pytest.mark.django_db


def test_a_search_is_saved_under_its_name(user: User) -> None:
    saved = saved_search_save(user=user, query="cat:cs.LG  diffusion", name="  Diffusion ")
    assert (saved.user, saved.name, saved.query) == (user, "Diffusion", "cat:cs.LG diffusion")


def test_the_name_defaults_to_the_query_shortened(user: User) -> None:
    assert saved_search_save(user=user, query="graph neural networks").name == (
        "graph neural networks"
    )
    long = saved_search_save(user=user, query="transformer " * 50)
    assert len(long.name) == 100 and long.name.endswith("…")
    assert long.query == ("transformer " * 50).strip()


def test_saving_under_an_existing_name_replaces_the_query(user: User) -> None:
    first = saved_search_save(user=user, query="old query", name="mine")
    second = saved_search_save(user=user, query="new query", name="mine")
    assert first.pk == second.pk
    assert SavedSearch.objects.get().query == "new query"


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "has no query"), ("   ", "has no query"), ("x" * 2001, "too long to save")],
)
def test_empty_and_huge_queries_are_refused(user: User, query: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        saved_search_save(user=user, query=query)
    assert SavedSearch.objects.count() == 0


def test_a_user_keeps_at_most_a_hundred(user: User, make_user: Callable[..., User]) -> None:
    SavedSearch.objects.bulk_create(
        SavedSearch(user=user, name=f"s{n}", query=f"q{n}") for n in range(MAX_SAVED_SEARCHES)
    )
    with pytest.raises(ValueError, match="already keep 100 saved searches"):
        saved_search_save(user=user, query="one more")
    # Replacing one of them is still allowed, and other people have their own allowance.
    assert saved_search_save(user=user, query="changed", name="s0").query == "changed"
    assert saved_search_save(user=make_user(), query="one more")


def test_saved_searches_lists_mine_by_name(user: User, make_user: Callable[..., User]) -> None:
    for name in ("beta", "alpha", "gamma"):
        saved_search_save(user=user, query=f"q {name}", name=name)
    saved_search_save(user=make_user(), query="theirs")
    assert [s.name for s in saved_searches(user=user)] == ["alpha", "beta", "gamma"]
    assert list(saved_searches(user=AnonymousUser())) == []


def test_only_the_owner_deletes_a_saved_search(user: User, make_user: Callable[..., User]) -> None:
    mine = saved_search_save(user=user, query="mine")
    with pytest.raises(SavedSearch.DoesNotExist):  # as if there were none: ids reveal nothing
        saved_search_delete(user=make_user(), search_id=mine.pk)
    with pytest.raises(PermissionDenied):
        saved_search_delete(user=AnonymousUser(), search_id=mine.pk)
    saved_search_delete(user=user, search_id=mine.pk)
    assert SavedSearch.objects.count() == 0
    with pytest.raises(SavedSearch.DoesNotExist):
        saved_search_delete(user=user, search_id=mine.pk)


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_anonymous_people_cannot_save_searches(nobody: AnonymousUser | None) -> None:
    with pytest.raises(PermissionDenied):
        saved_search_save(user=nobody, query="x")
