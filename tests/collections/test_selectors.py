"""The collection selectors and the model's rules of who may read and edit."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from paperfeed.collections.selectors import (
    collection_by_id_or_404,
    collection_editor_names,
    collection_get_or_404,
    collection_ids_holding,
    collection_items,
    collection_items_of,
    collection_position,
    collection_voted_ids,
    collections_editable,
    collections_public,
    collections_visible_of,
)
from paperfeed.collections.services import (
    collection_create,
    collection_editor_add,
    collection_item_add,
    collection_vote_set,
)
from tests.collections.conftest import Shelf


def titles(collections: list) -> list[str]:  # type: ignore[type-arg]
    return [c.title for c in collections]


@pytest.mark.parametrize(
    ("visibility", "readable"),
    [
        ("public", {"ada", "bob", "eve", None}),
        ("unlisted", {"ada", "bob", "eve", None}),
        ("private", {"ada", "bob"}),
    ],
)
def test_who_may_read_and_edit(shelf: Shelf, visibility: str, readable: set[str | None]) -> None:
    collection = shelf.of(visibility)
    for person in (shelf.ada, shelf.bob, shelf.eve, AnonymousUser()):
        name = person.get_username() or None
        assert collection.readable_by(person) is (name in readable), (visibility, name)
        assert collection.editable_by(person) is (name in {"ada", "bob"})
        assert collection.owned_by(person) is (name == "ada")


def test_a_hidden_collection_is_found_exactly_like_a_missing_one(shelf: Shelf) -> None:
    with pytest.raises(Http404) as hidden:
        collection_get_or_404(owner="ada", slug="secret-project-zeta", viewer=shelf.eve)
    with pytest.raises(Http404) as missing:
        collection_get_or_404(owner="ada", slug="no-such-thing", viewer=shelf.eve)
    assert str(hidden.value) == "There is no collection “ada/secret-project-zeta”."
    assert str(missing.value) == "There is no collection “ada/no-such-thing”."
    assert collection_get_or_404(owner="ada", slug="secret-project-zeta", viewer=shelf.bob)
    with pytest.raises(Http404, match="number"):
        collection_by_id_or_404(pk=shelf.private.pk, viewer=shelf.eve)
    assert collection_by_id_or_404(pk=shelf.unlisted.pk, viewer=None) == shelf.unlisted


def test_an_owners_list_shows_others_only_their_public_collections(shelf: Shelf) -> None:
    everyone = ["Diffusion reading group"]
    assert titles(collections_visible_of(owner=shelf.ada, viewer=None)) == everyone
    assert titles(collections_visible_of(owner=shelf.ada, viewer=shelf.eve)) == everyone
    mine = {"Diffusion reading group", "Unlisted drafts", "Secret project zeta"}
    assert set(titles(collections_visible_of(owner=shelf.ada, viewer=shelf.ada))) == mine
    assert set(titles(collections_visible_of(owner=shelf.ada, viewer=shelf.bob))) == mine
    # An editor of one private collection sees that one, not the others.
    other = collection_create(user=shelf.ada, title="Only eve", visibility="private")
    collection_editor_add(user=shelf.ada, collection=other, username="eve")
    seen = titles(collections_visible_of(owner=shelf.ada, viewer=shelf.eve))
    assert sorted(seen) == ["Diffusion reading group", "Only eve"]


def test_public_lists_by_upvotes_and_by_age_never_list_the_others(shelf: Shelf) -> None:
    with time_machine.travel("2026-03-15 10:00Z", tick=False):
        newer = collection_create(user=shelf.eve, title="Eve's picks")
    collection_vote_set(user=shelf.bob, collection=shelf.public, on=True)
    assert titles(collections_public(sort="upvotes")) == ["Diffusion reading group", "Eve's picks"]
    assert titles(collections_public(sort="new")) == ["Eve's picks", "Diffusion reading group"]
    assert titles(collections_public(sort="new", limit=1, offset=1)) == ["Diffusion reading group"]
    counts = {c.title: c.item_count for c in collections_public()}
    assert counts == {"Diffusion reading group": 2, newer.title: 0}


def test_editable_collections_and_which_hold_a_paper(shelf: Shelf) -> None:
    mine = collection_create(user=shelf.bob, title="Bob's own")
    editable = collections_editable(user=shelf.bob)
    assert set(titles(editable)) == {
        "Bob's own", "Diffusion reading group", "Unlisted drafts", "Secret project zeta"
    }  # fmt: skip
    assert collections_editable(user=shelf.eve) == []
    assert collections_editable(user=AnonymousUser()) == []
    holding = collection_ids_holding(paper=shelf.papers["2603.00001"], collections=editable)
    assert holding == {shelf.public.pk}
    assert mine.pk not in holding


def test_items_in_order_and_the_first_of_each_collection(shelf: Shelf) -> None:
    items = collection_items(collection=shelf.public)
    assert [i.paper.arxiv_id for i in items] == ["2603.00001", "2603.00002"]
    assert items[0].note == "Start here." and items[1].added_by == shelf.bob
    firsts = collection_items_of([shelf.public, shelf.unlisted], per_collection=1)
    assert [i.paper.arxiv_id for i in firsts[shelf.public.pk]] == ["2603.00001"]
    assert [i.paper.arxiv_id for i in firsts[shelf.unlisted.pk]] == ["2603.00003"]


def test_editors_votes_and_positions(shelf: Shelf) -> None:
    collection_editor_add(user=shelf.ada, collection=shelf.public, username="eve")
    names = collection_editor_names([shelf.public, shelf.private])
    assert names == {shelf.public.pk: ["bob", "eve"], shelf.private.pk: ["bob"]}
    collection_vote_set(user=shelf.eve, collection=shelf.public, on=True)
    voted = collection_voted_ids(user=shelf.eve, collections=[shelf.public, shelf.unlisted])
    assert voted == {shelf.public.pk}
    assert collection_voted_ids(user=None, collections=[shelf.public]) == set()
    # Only public collections count: a position tells nothing of the others.
    later = collection_create(user=shelf.ada, title="Later and public")
    assert [collection_position(c) for c in (shelf.public, later)] == [0, 1]
    collection_item_add(user=shelf.eve, collection=shelf.public, paper=shelf.papers["2603.00003"])
