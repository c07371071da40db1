"""Writes to a user's library and saved searches. Every rule lives here, not in the views."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.accounts.models import LibraryEntry, SavedSearch
from paperfeed.papers.models import Paper

MAX_SAVED_SEARCHES = 100
LOGIN_NEEDED = "Log in to keep a library and saved searches."


def library_set(*, user: AnyUser | None, paper: Paper, on: bool) -> bool:
    """Put the paper in the user's library or take it out; idempotent. Returns whether it is in
    the library now. A double click (two requests at once) stores one entry: the unique
    constraint refuses the second."""
    user = require_login(user, LOGIN_NEEDED)
    if not on:
        LibraryEntry.objects.filter(user=user, paper=paper).delete()
        return False
    try:
        with transaction.atomic():
            LibraryEntry.objects.create(user=user, paper=paper)
    except IntegrityError:
        pass  # already there
    return True


def saved_search_save(*, user: AnyUser | None, query: str, name: str = "") -> SavedSearch:
    """Save a search under a name (the query itself when none is given); saving under a name
    the user already has replaces that search's query. Raises ValueError with a message fit to
    show when the query is empty or too long, or the user already keeps the maximum number."""
    user = require_login(user, LOGIN_NEEDED)
    query = " ".join((query or "").split())
    if not query:
        raise ValueError("There is nothing to save: the search has no query.")
    if "\x00" in query or "\x00" in (name or ""):
        raise ValueError("A saved search cannot hold a NUL character.")
    if len(query) > SavedSearch.MAX_QUERY_LENGTH:
        raise ValueError(
            f"That query is too long to save ({len(query):,} characters; "
            f"at most {SavedSearch.MAX_QUERY_LENGTH:,})."
        )
    name = _search_name(name or query)
    with transaction.atomic():
        existing = SavedSearch.objects.select_for_update().filter(user=user, name=name).first()
        if existing is not None:
            existing.query = query
            existing.save(update_fields=["query"])
            return existing
        if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
            raise ValueError(
                f"You already keep {MAX_SAVED_SEARCHES} saved searches; "
                "delete one before saving another."
            )
        return SavedSearch.objects.create(user=user, name=name, query=query)


def saved_search_delete(*, user: AnyUser | None, search_id: int) -> None:
    """Delete one of the user's saved searches. Raises SavedSearch.DoesNotExist when they have
    no such search: someone else's is answered the same, so that numbers reveal nothing."""
    user = require_login(user, LOGIN_NEEDED)
    SavedSearch.objects.get(id=search_id, user=user).delete()


def _search_name(text: str) -> str:
    text = " ".join(text.split())
    limit = SavedSearch.MAX_NAME_LENGTH
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
