"""Reads of a user's library and saved searches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeGuard

from django.contrib.auth.models import User
from django.db.models import QuerySet

from paperfeed.accounts.auth import AnyUser
from paperfeed.accounts.models import LibraryEntry, SavedSearch
from paperfeed.papers.models import Paper


def library_papers(*, user: AnyUser | None) -> QuerySet[Paper]:
    """The papers in the user's library, the most recently added first. Author names are held
    on the paper row (`Paper.authors`), so listing them needs no further query."""
    if not _known(user):
        return Paper.objects.none()
    return Paper.objects.filter(library_entries__user=user).order_by(
        "-library_entries__added_at", "-library_entries__id"
    )


def library_ids(*, user: AnyUser | None, paper_ids: Iterable[int]) -> set[int]:
    """Which of these papers (by primary key) are in the user's library: one query for a page of
    cards rather than one per card."""
    wanted = list(paper_ids)
    if not _known(user) or not wanted:
        return set()
    return set(
        LibraryEntry.objects.filter(user=user, paper_id__in=wanted).values_list(
            "paper_id", flat=True
        )
    )


def saved_searches(*, user: AnyUser | None) -> QuerySet[SavedSearch]:
    """The user's saved searches by name."""
    if not _known(user):
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user).order_by("name", "id")


def _known(user: AnyUser | None) -> TypeGuard[User]:
    return user is not None and user.is_authenticated
