"""The collection services: who may change what, slugs, limits, order, notes, upvotes."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from paperfeed.collections import services
from paperfeed.collections.models import Collection, CollectionItem, CollectionVote
from paperfeed.collections.services import (
    AlreadyInCollection,
    CollectionError,
    LimitReached,
    NotAnEditor,
    collection_create,
    collection_delete,
    collection_editor_add,
    collection_editor_remove,
    collection_item_add,
    collection_item_remove,
    collection_item_update,
    collection_update,
    collection_vote_set,
)
from tests.collections.conftest import Shelf


def order(collection: Collection) -> list[str]:
    rows = CollectionItem.objects.filter(collection=collection).order_by("position")
    return [item.paper.arxiv_id for item in rows]


def positions(collection: Collection) -> list[int]:
    return list(
        CollectionItem.objects.filter(collection=collection)
        .order_by("position")
        .values_list("position", flat=True)
    )


def test_it_makes_a_slug_from_the_title_and_numbers_a_second_one(shelf: Shelf) -> None:
    assert shelf.public.slug == "diffusion-reading-group"
    again = collection_create(user=shelf.ada, title="  Diffusion   reading group ")
    assert again.slug == "diffusion-reading-group-2" and again.title == "Diffusion reading group"
    third = collection_create(user=shelf.ada, title="Diffusion reading group")
    assert third.slug == "diffusion-reading-group-3"
    # Someone else may use the same slug: addresses are per owner.
    assert collection_create(user=shelf.eve, title="Diffusion reading group").slug == (
        "diffusion-reading-group"
    )
    assert collection_create(user=shelf.eve, title="∑ ∫ !!!").slug == "collection"


def test_the_slug_stays_when_the_title_changes(shelf: Shelf) -> None:
    collection_update(user=shelf.ada, collection=shelf.public, title="Friday papers")
    shelf.public.refresh_from_db()
    assert shelf.public.title == "Friday papers" and shelf.public.slug == "diffusion-reading-group"


@pytest.mark.parametrize(
    ("title", "message"),
    [("   ", "cannot be empty"), ("x" * 101, "too long"), ("a\x00b", "NUL")],
)
def test_bad_titles_are_refused_with_a_reason(shelf: Shelf, title: str, message: str) -> None:
    with pytest.raises(CollectionError, match=message):
        collection_create(user=shelf.ada, title=title)


def test_an_unknown_visibility_is_refused(shelf: Shelf) -> None:
    with pytest.raises(CollectionError, match="Visibility is one of public, unlisted, private"):
        collection_create(user=shelf.ada, title="x", visibility="secret")


def test_only_logged_in_people_make_collections(db: None) -> None:
    with pytest.raises(PermissionDenied, match="Log in"):
        collection_create(user=AnonymousUser(), title="Mine")


def test_editors_change_papers_but_only_the_owner_changes_details(shelf: Shelf) -> None:
    paper = shelf.papers["2603.00003"]
    collection_item_add(user=shelf.bob, collection=shelf.public, paper=paper, note="by bob")
    collection_item_update(user=shelf.bob, collection=shelf.public, paper=paper, position=0)
    assert order(shelf.public) == ["2603.00003", "2603.00001", "2603.00002"]
    for change in (
        lambda: collection_update(user=shelf.bob, collection=shelf.public, title="Bob's"),
        lambda: collection_editor_add(user=shelf.bob, collection=shelf.public, username="eve"),
        lambda: collection_delete(user=shelf.bob, collection=shelf.public),
    ):
        with pytest.raises(PermissionDenied, match="Only the owner"):
            change()
    assert Collection.objects.get(pk=shelf.public.pk).title == "Diffusion reading group"


@pytest.mark.parametrize("visibility", ["public", "unlisted"])
def test_a_reader_who_may_not_edit_is_refused_with_403(shelf: Shelf, visibility: str) -> None:
    collection = shelf.of(visibility)
    with pytest.raises(PermissionDenied, match="Only the owner and editors"):
        collection_item_add(user=shelf.eve, collection=collection, paper=shelf.papers["2603.00003"])
    with pytest.raises(PermissionDenied, match="Only the owner"):
        collection_delete(user=shelf.eve, collection=collection)


def test_someone_who_cannot_see_a_private_collection_gets_its_404(shelf: Shelf) -> None:
    paper = shelf.papers["2603.00003"]
    for change in (
        lambda: collection_item_add(user=shelf.eve, collection=shelf.private, paper=paper),
        lambda: collection_delete(user=shelf.eve, collection=shelf.private),
        lambda: collection_vote_set(user=shelf.eve, collection=shelf.private, on=True),
    ):
        with pytest.raises(Http404, match="There is no collection “ada/secret-project-zeta”"):
            change()
    assert Collection.objects.filter(pk=shelf.private.pk).exists()


def test_a_paper_is_in_a_collection_once(shelf: Shelf) -> None:
    with pytest.raises(AlreadyInCollection, match="arXiv:2603.00001 is in this collection"):
        collection_item_add(
            user=shelf.ada, collection=shelf.public, paper=shelf.papers["2603.00001"]
        )
    assert positions(shelf.public) == [0, 1]


def test_papers_keep_their_order_as_they_move_and_leave(shelf: Shelf) -> None:
    col, p = shelf.public, shelf.papers
    collection_item_add(user=shelf.ada, collection=col, paper=p["2603.00003"])
    collection_item_add(user=shelf.ada, collection=col, paper=p["hep-th/9901001"])
    assert order(col) == ["2603.00001", "2603.00002", "2603.00003", "hep-th/9901001"]
    collection_item_update(user=shelf.ada, collection=col, paper=p["hep-th/9901001"], position=1)
    assert order(col) == ["2603.00001", "hep-th/9901001", "2603.00002", "2603.00003"]
    collection_item_update(user=shelf.ada, collection=col, paper=p["2603.00001"], position=99)
    assert order(col) == ["hep-th/9901001", "2603.00002", "2603.00003", "2603.00001"]
    assert collection_item_remove(user=shelf.ada, collection=col, paper=p["2603.00002"]) is True
    assert order(col) == ["hep-th/9901001", "2603.00003", "2603.00001"]
    assert positions(col) == [0, 1, 2]  # no gap where the paper was
    assert collection_item_remove(user=shelf.ada, collection=col, paper=p["2603.00002"]) is False


def test_notes_are_kept_trimmed_and_limited(shelf: Shelf) -> None:
    paper = shelf.papers["2603.00002"]
    item = collection_item_update(
        user=shelf.bob, collection=shelf.public, paper=paper, note="  Read §3 first.\n"
    )
    assert CollectionItem.objects.get(pk=item.pk).note == "Read §3 first."
    with pytest.raises(CollectionError, match="note is too long"):
        collection_item_update(
            user=shelf.bob, collection=shelf.public, paper=paper, note="n" * 1001
        )
    with pytest.raises(CollectionItem.DoesNotExist):
        collection_item_update(
            user=shelf.bob, collection=shelf.public, paper=shelf.papers["2603.00003"], note="x"
        )


def test_changes_to_papers_move_last_updated(shelf: Shelf) -> None:
    before = Collection.objects.get(pk=shelf.public.pk).updated_at
    with time_machine.travel("2026-03-20 09:00Z", tick=False):
        collection_item_add(
            user=shelf.bob, collection=shelf.public, paper=shelf.papers["2603.00003"]
        )
    after = Collection.objects.get(pk=shelf.public.pk).updated_at
    assert after > before and after.day == 20


def test_editors_are_named_by_the_owner_and_may_leave(shelf: Shelf) -> None:
    assert collection_editor_add(user=shelf.ada, collection=shelf.public, username="@eve").pk == (
        shelf.eve.pk
    )
    collection_editor_add(user=shelf.ada, collection=shelf.public, username="eve")  # once
    assert shelf.public.editors.filter(pk=shelf.eve.pk).count() == 1
    assert shelf.public.editable_by(shelf.eve)
    with pytest.raises(NotAnEditor, match="There is no user “nobody”"):
        collection_editor_add(user=shelf.ada, collection=shelf.public, username="nobody")
    with pytest.raises(NotAnEditor, match="owner edits"):
        collection_editor_add(user=shelf.ada, collection=shelf.public, username="ada")
    # An editor may take themselves off, not someone else.
    with pytest.raises(PermissionDenied):
        collection_editor_remove(user=shelf.eve, collection=shelf.public, username="bob")
    collection_editor_remove(user=shelf.eve, collection=shelf.public, username="eve")
    assert not shelf.public.editable_by(shelf.eve)
    collection_editor_remove(user=shelf.ada, collection=shelf.public, username="bob")
    assert not shelf.public.editable_by(shelf.bob)


def test_limits_are_conflicts_with_a_reason(shelf: Shelf, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_ITEMS", 2)
    monkeypatch.setattr(services, "MAX_COLLECTIONS", 3)
    with pytest.raises(LimitReached, match="at most 2 papers"):
        collection_item_add(
            user=shelf.ada, collection=shelf.public, paper=shelf.papers["2603.00003"]
        )
    with pytest.raises(LimitReached, match="already have 3 collections"):
        collection_create(user=shelf.ada, title="One more")


def test_one_upvote_per_user_and_taking_it_back(shelf: Shelf) -> None:
    state = collection_vote_set(user=shelf.eve, collection=shelf.public, on=True)
    assert (state.upvoted, state.upvotes) == (True, 1)
    again = collection_vote_set(user=shelf.eve, collection=shelf.public, on=True)
    assert (again.upvoted, again.upvotes) == (True, 1)
    collection_vote_set(user=shelf.bob, collection=shelf.public, on=True)
    assert Collection.objects.get(pk=shelf.public.pk).upvotes == 2
    back = collection_vote_set(user=shelf.eve, collection=shelf.public, on=False)
    assert (back.upvoted, back.upvotes) == (False, 1)
    assert CollectionVote.objects.filter(collection=shelf.public).count() == 1
    # The unlisted collection can be upvoted by anyone with its address.
    assert collection_vote_set(user=shelf.eve, collection=shelf.unlisted, on=True).upvotes == 1


def test_deleting_a_collection_deletes_its_items_votes_and_editors(shelf: Shelf) -> None:
    collection_vote_set(user=shelf.eve, collection=shelf.public, on=True)
    collection_delete(user=shelf.ada, collection=shelf.public)
    assert not CollectionItem.objects.filter(collection_id=shelf.public.pk).exists()
    assert not CollectionVote.objects.filter(collection_id=shelf.public.pk).exists()
    assert User.objects.filter(username="bob").exists()
