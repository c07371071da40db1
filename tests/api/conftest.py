"""A small catalog for API tests: featured days with gaps, users, tokens, a keyword index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.tokens import api_token_create
from paperfeed.community.models import Featured
from paperfeed.papers.models import Paper
from paperfeed.search.indexing import keyword_sync
from tests.community.factories import (  # noqa: F401 (fixtures)
    feature,
    make_paper,
    make_user,
    moderator,
    user,
)

# "Now" in these tests: Saturday 14 March 2026 (ISO week 11), evening.
NOW = datetime(2026, 3, 14, 18, tzinfo=UTC)
PROBLEM = "application/problem+json"


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class World:
    papers: dict[str, Paper]
    featured: dict[str, Featured]


def build_world(today: date) -> World:
    """Papers featured today (2), two days ago (1) and four days ago (1), plus two papers
    never featured (one with an old-style id)."""
    from datetime import timedelta

    day = [today - timedelta(days=n) for n in range(5)]
    papers = {
        "2603.00001": make_paper(
            "2603.00001",
            published=day[1],
            title="Sparse diffusion transformers for protein design",
            abstract="We train a diffusion model with $O(n^2)$ cost.",
            authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"],
        ),
        "2603.00002": make_paper(
            "2603.00002",
            published=day[2],
            title="Graph networks for weather forecasting",
            authors=["Alan Turing"],
            categories=["physics.ao-ph", "cs.LG"],
        ),
        "2603.00003": make_paper(
            "2603.00003", published=day[4], title="A survey of state space models"
        ),
        "2603.00004": make_paper(
            "2603.00004", published=day[4], title="Reinforcement learning from human feedback"
        ),
        "2603.00005": make_paper(
            "2603.00005", published=day[3], title="Diffusion models for weather radar"
        ),
        "hep-th/9901001": make_paper(
            "hep-th/9901001",
            published=date(1999, 1, 1),
            title="Strings on branes",
            categories=["hep-th"],
        ),
    }
    featured = {
        "2603.00001": feature(papers["2603.00001"], day[0], upvotes=7, comments=2, by="ada"),
        "2603.00002": feature(papers["2603.00002"], day[0], upvotes=12, by="alan"),
        "2603.00003": feature(papers["2603.00003"], day[2], upvotes=3, by="grace"),
        "2603.00004": feature(papers["2603.00004"], day[4], upvotes=1, by="edsger"),
    }
    return World(papers, featured)


@pytest.fixture
def world(db: None, clock: None) -> World:
    return build_world(NOW.date())


@pytest.fixture
def indexed(world: World) -> World:
    keyword_sync(rebuild=True)
    return world


@pytest.fixture
def bearer() -> Callable[[User], dict[str, str]]:
    """Headers carrying a new API token of the user."""

    def make(person: User) -> dict[str, str]:
        secret = api_token_create(user=person, name="tests").secret
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def api(client: Client) -> Client:
    return client


def assert_problem(response: Any, status: int, *, detail_has: str = "") -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and this text in its detail)."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"] == "about:blank"
    assert body["error"] == body["detail"]
    assert detail_has in body["detail"], body["detail"]
    return body
