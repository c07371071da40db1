"""A small catalog for page tests: featured days with gaps, users, a moderator, a keyword index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.test import Client

from paperfeed.community.models import Featured
from paperfeed.community.trending import featured_refresh
from paperfeed.papers.ingest import paper_upsert
from paperfeed.papers.models import Paper
from paperfeed.search.indexing import keyword_sync
from tests.papers.factories import record

# The site's "now" in these tests: Saturday 14 March 2026 (ISO week 11), evening.
NOW = datetime(2026, 3, 14, 18, tzinfo=UTC)
TODAY = NOW.date()
PASSWORD = "correct horse battery staple"


def make_paper(arxiv_id: str, *, published: date = date(2026, 3, 1), **fields: Any) -> Paper:
    when = datetime(published.year, published.month, published.day, 12, tzinfo=UTC)
    fields.setdefault("versions", [])
    paper, _ = paper_upsert(record=record(arxiv_id, published=when, updated=when, **fields))
    return paper


def feature(paper: Paper, day: date, *, upvotes: int = 0, by: str = "someone") -> Featured:
    row = Featured.objects.create(
        paper=paper, featured_on=day, submitted_by=by, source="hf-daily", source_upvotes=upvotes
    )
    featured_refresh(paper_ids=[paper.pk])  # the derived counts and trending key
    row.refresh_from_db()
    return row


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class World:
    papers: dict[str, Paper]
    featured: dict[str, Featured]


@pytest.fixture
def world(db: None, clock: None) -> World:
    """Papers featured on 10, 12 and 14 March (11 and 13 are empty), plus unfeatured ones."""
    papers = {
        "2603.00001": make_paper("2603.00001", published=date(2026, 3, 13),
                                 title="Sparse diffusion transformers for protein design",
                                 abstract="We train a diffusion model with $O(n^2)$ cost.",
                                 authors=["Ada Lovelace", "Alan Turing", "Grace Hopper",
                                          "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"]),
        "2603.00002": make_paper("2603.00002", published=date(2026, 3, 12),
                                 title="Graph networks for weather", authors=["Alan Turing"]),
        "2603.00003": make_paper("2603.00003", published=date(2026, 3, 10),
                                 title="A survey of state space models"),
        "2603.00004": make_paper("2603.00004", published=date(2026, 3, 9),
                                 title="Reinforcement learning from feedback"),
        "hep-th/9901001": make_paper("hep-th/9901001", published=date(1999, 1, 1),
                                     title="Strings on branes", categories=["hep-th"]),
    }  # fmt: skip
    featured = {
        "2603.00001": feature(papers["2603.00001"], date(2026, 3, 14), upvotes=7, by="ada"),
        "2603.00002": feature(papers["2603.00002"], date(2026, 3, 14), upvotes=12, by="alan"),
        "2603.00003": feature(papers["2603.00003"], date(2026, 3, 12), upvotes=3, by="grace"),
        "2603.00004": feature(papers["2603.00004"], date(2026, 3, 10), upvotes=1, by="edsger"),
    }
    return World(papers, featured)


@pytest.fixture
def indexed(world: World) -> World:
    """The world with its keyword index built (vectors stay absent: keyword results only)."""
    keyword_sync(rebuild=True)
    return world


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(name: str = "", **fields: Any) -> User:
        name = name or f"reader{next(counter)}"
        return User.objects.create_user(username=name, password=PASSWORD, **fields)

    return make


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("ada", email="ada@example.org")


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    person = make_user("mod")
    person.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return User.objects.get(pk=person.pk)


@pytest.fixture
def member(client: Client, user: User) -> Client:
    """A client logged in as `user`."""
    client.force_login(user, backend=MODEL_BACKEND)
    return client


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HTMX = {"HTTP_HX_REQUEST": "true"}
