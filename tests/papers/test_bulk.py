"""papers.bulk's INSERTs outside any transaction (autocommit), as a job that is not an import
calls them: on PostgreSQL the conflict-skipping path stages rows in a temporary table that
empties itself on commit, so it must hold its own transaction."""

from __future__ import annotations

import pytest
from django.db import connection

from paperfeed.papers.bulk import ensure_ids, insert_rows
from paperfeed.papers.models import Author

pytestmark = pytest.mark.django_db(transaction=True)


def test_conflict_skipping_inserts_keep_their_rows_in_autocommit() -> None:
    assert connection.get_autocommit()
    rows = [("ada lovelace", "Ada Lovelace"), ("alan turing", "Alan Turing")]
    assert insert_rows(Author, ("key", "name"), rows, ignore_conflicts=True) == 2
    assert insert_rows(Author, ("key", "name"), rows, ignore_conflicts=True) == 0
    ids = ensure_ids(Author, ("key", "name"), [*rows, ("grace hopper", "Grace Hopper")])
    assert sorted(ids) == ["ada lovelace", "alan turing", "grace hopper"]
    assert Author.objects.count() == 3
