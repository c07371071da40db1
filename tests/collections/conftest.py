"""A small shelf for collection tests: papers, an owner (ada), an editor (bob), a reader who is
neither (eve), and one collection of each visibility, all three edited by bob."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.tokens import api_token_create
from paperfeed.collections.models import Collection
from paperfeed.collections.services import (
    collection_create,
    collection_editor_add,
    collection_item_add,
)
from paperfeed.papers.models import Paper
from tests.community.factories import feature, make_paper

NOW = datetime(2026, 3, 14, 18, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
# The private collection's title: it must never show to anyone but ada and bob.
SECRET = "Secret project zeta"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HTMX = {"HTTP_HX_REQUEST": "true"}
JSON = "application/json"
_CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


@dataclass
class Shelf:
    papers: dict[str, Paper]
    ada: User  # owns the three collections
    bob: User  # edits them
    eve: User  # neither
    public: Collection
    unlisted: Collection
    private: Collection

    def of(self, visibility: str) -> Collection:
        found: Collection = getattr(self, visibility)
        return found


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def papers(db: None) -> dict[str, Paper]:
    found = {
        "2603.00001": make_paper(
            "2603.00001", published=date(2026, 3, 13),
            title="Sparse diffusion transformers for protein design",
            abstract="We train a diffusion model with $O(n^2)$ cost.",
            authors=["Ada Lovelace", "Alan Turing"],
        ),
        "2603.00002": make_paper(
            "2603.00002", published=date(2026, 3, 12), title="Graph networks for weather",
            authors=["Alan Turing"],
        ),
        "2603.00003": make_paper(
            "2603.00003", published=date(2026, 3, 10), title="A survey of state space models"
        ),
        "hep-th/9901001": make_paper(
            "hep-th/9901001", published=date(1999, 1, 1), title="Strings on branes",
            categories=["hep-th"],
        ),
    }  # fmt: skip
    feature(found["2603.00001"], date(2026, 3, 14), upvotes=7, by="ada")
    return found


@pytest.fixture
def people(db: None) -> tuple[User, User, User]:
    return tuple(  # type: ignore[return-value]
        User.objects.create_user(name, f"{name}@example.org", PASSWORD)
        for name in ("ada", "bob", "eve")
    )


@pytest.fixture
def shelf(clock: None, papers: dict[str, Paper], people: tuple[User, User, User]) -> Shelf:
    ada, bob, eve = people
    public = collection_create(
        user=ada, title="Diffusion reading group", description="What we read on Fridays."
    )
    unlisted = collection_create(user=ada, title="Unlisted drafts", visibility="unlisted")
    private = collection_create(user=ada, title=SECRET, visibility="private")
    for collection in (public, unlisted, private):
        collection_editor_add(user=ada, collection=collection, username="bob")
    collection_item_add(user=ada, collection=public, paper=papers["2603.00001"], note="Start here.")
    collection_item_add(user=bob, collection=public, paper=papers["2603.00002"])
    collection_item_add(user=ada, collection=unlisted, paper=papers["2603.00003"])
    collection_item_add(
        user=ada, collection=private, paper=papers["hep-th/9901001"], note="zeta notes"
    )
    return Shelf(papers, ada, bob, eve, public, unlisted, private)


@pytest.fixture
def login() -> Callable[[User | None], Client]:
    """A new client logged in as the user (None: anonymous)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user, backend=MODEL_BACKEND)
        return client

    return make


@pytest.fixture
def bearer() -> Callable[[User], dict[str, str]]:
    """Headers carrying a new API token of the user."""

    def make(person: User) -> dict[str, str]:
        secret = api_token_create(user=person, name="tests").secret
        return {"Authorization": f"Bearer {secret}"}

    return make


def url(collection: Collection, suffix: str = "") -> str:
    return f"/collections/{collection.owner.get_username()}/{collection.slug}{suffix}"


def api_url(collection: Collection, suffix: str = "") -> str:
    return f"/api/collections/{collection.owner.get_username()}/{collection.slug}{suffix}"


def without_csrf(body: bytes) -> bytes:
    """A page without its CSRF tokens, which are masked afresh on every response."""
    return _CSRF.sub(rb"\1", body)
