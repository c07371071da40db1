"""Builders for community and accounts tests: stored papers, featured papers, users and
moderators (the fixtures are registered by each package's conftest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User

from paperfeed.community.models import Featured
from paperfeed.community.trending import featured_refresh
from paperfeed.papers.ingest import paper_upsert
from paperfeed.papers.models import Paper
from tests.papers.factories import record


def make_paper(arxiv_id: str, *, published: date = date(2026, 3, 1), **fields: Any) -> Paper:
    when = datetime(published.year, published.month, published.day, 12, tzinfo=UTC)
    fields.setdefault("versions", [])
    paper, _ = paper_upsert(record=record(arxiv_id, published=when, updated=when, **fields))
    return paper


def feature(
    paper: Paper, day: date, *, upvotes: int = 0, comments: int = 0, by: str = "someone"
) -> Featured:
    row = Featured.objects.create(
        paper=paper,
        featured_on=day,
        submitted_by=by,
        source="hf-daily",
        source_upvotes=upvotes,
        source_comments=comments,
    )
    featured_refresh(paper_ids=[paper.pk])
    row.refresh_from_db()
    return row


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(name: str = "", **fields: Any) -> User:
        return User.objects.create_user(username=name or f"user{next(counter)}", **fields)

    return make


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("ada")


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    """Not staff: a moderator by the community.moderate_comment permission alone."""
    person = make_user("mod")
    person.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return User.objects.get(pk=person.pk)  # a fresh instance: permissions are cached
