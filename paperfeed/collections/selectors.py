"""Reads of collections, each answering only what the viewer may see.

A private collection that the viewer may not read is answered exactly like one that does not
exist (`collection_get_or_404`): the same Http404 with the same message, so that neither the
pages, the feeds nor the API tell the two apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from paperfeed.collections.models import (
    AnyUser,
    Collection,
    CollectionEditor,
    CollectionItem,
    CollectionVote,
    Visibility,
)
from paperfeed.papers.models import Paper

Sort = Literal["upvotes", "new", "updated"]
ORDER: dict[str, tuple[str, ...]] = {
    "upvotes": ("-upvotes", "-created_at", "-id"),
    "new": ("-created_at", "-id"),
    "updated": ("-updated_at", "-id"),
}


def not_found(owner: str, slug: str) -> Http404:
    """What a collection that does not exist, or that the viewer may not see, answers."""
    return Http404(f"There is no collection “{owner[:150]}/{slug[:100]}”.")


def collection_get_or_404(*, owner: str, slug: str, viewer: AnyUser | None) -> Collection:
    """The collection at /collections/<owner>/<slug> when the viewer may read it."""
    found = (
        Collection.objects.select_related("owner").filter(owner__username=owner, slug=slug).first()
    )
    if found is None or not found.readable_by(viewer):
        raise not_found(owner, slug)
    return found


def owner_get_or_404(*, username: str) -> User:
    owner = User.objects.filter(username=username, is_active=True).first()
    if owner is None:
        raise Http404(f"There is no user “{username[:150]}”.")
    return owner


def _with_counts(rows: QuerySet[Collection]) -> QuerySet[Collection]:
    return rows.select_related("owner").annotate(item_count=Count("items", distinct=True))


def collections_visible_of(
    *, owner: User, viewer: AnyUser | None, sort: Sort = "updated"
) -> list[Collection]:
    """The owner's collections that the viewer may see listed: the public ones, and the
    unlisted and private ones too where the viewer is their owner or one of their editors.
    Most recently updated first (or by `sort`); each carries `item_count`."""
    rows = Collection.objects.filter(owner=owner)
    if viewer is None or not viewer.is_authenticated:
        rows = rows.filter(visibility=Visibility.PUBLIC)
    elif viewer.pk != owner.pk:
        rows = rows.filter(Q(visibility=Visibility.PUBLIC) | Q(editors=viewer)).distinct()
    return list(_with_counts(rows).order_by(*ORDER[sort]))


def collections_public(
    *, sort: Sort = "upvotes", limit: int = 30, offset: int = 0
) -> list[Collection]:
    """Public collections (never unlisted or private ones), each with `item_count`."""
    rows = Collection.objects.filter(visibility=Visibility.PUBLIC)
    return list(_with_counts(rows).order_by(*ORDER[sort])[offset : offset + limit])


def collections_editable(*, user: AnyUser | None) -> list[Collection]:
    """The collections the user may add papers to: their own and those they edit, most
    recently updated first, each with `item_count`."""
    if user is None or not user.is_authenticated:
        return []
    rows = Collection.objects.filter(Q(owner=user) | Q(editors=user)).distinct()
    return list(_with_counts(rows).order_by(*ORDER["updated"]))


def collection_ids_holding(*, paper: Paper, collections: Iterable[Collection]) -> set[int]:
    """Which of these collections hold the paper (one query)."""
    ids = [c.pk for c in collections]
    return set(
        CollectionItem.objects.filter(collection_id__in=ids, paper=paper).values_list(
            "collection_id", flat=True
        )
    )


def collection_items(*, collection: Collection, limit: int | None = None) -> list[CollectionItem]:
    """The collection's papers in their order, each with its paper."""
    rows = CollectionItem.objects.filter(collection=collection).select_related("paper", "added_by")
    rows = rows.order_by("position", "id")
    return list(rows[:limit] if limit is not None else rows)


def collection_items_of(
    collections: Iterable[Collection], *, per_collection: int
) -> dict[int, list[CollectionItem]]:
    """The first papers of each collection (for lists), in one query."""
    ids = [c.pk for c in collections]
    found: dict[int, list[CollectionItem]] = {pk: [] for pk in ids}
    rows = CollectionItem.objects.filter(collection_id__in=ids, position__lt=per_collection)
    for item in rows.select_related("paper", "added_by").order_by(
        "collection_id", "position", "id"
    ):
        found[item.collection_id].append(item)
    return found


def collection_item_get_or_404(*, collection: Collection, item_id: int) -> CollectionItem:
    item = CollectionItem.objects.filter(collection=collection, pk=item_id).first()
    if item is None:
        raise Http404(f"Item {item_id} is not in this collection.")
    return item


def collection_editors(*, collection: Collection) -> list[User]:
    """The collection's editors, in the order they were named."""
    return list(
        User.objects.filter(collectioneditor__collection=collection).order_by(
            "collectioneditor__added_at", "collectioneditor__id"
        )
    )


def collection_editor_names(collections: Iterable[Collection]) -> dict[int, list[str]]:
    """The user names of each collection's editors, in the order they were named (one query)."""
    ids = [c.pk for c in collections]
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = CollectionEditor.objects.filter(collection_id__in=ids).order_by("added_at", "id")
    for collection_id, name in rows.values_list("collection_id", "user__username"):
        found[collection_id].append(name)
    return found


def collection_voted_ids(*, user: AnyUser | None, collections: Iterable[Collection]) -> set[int]:
    """Which of these collections the user has upvoted (one query)."""
    ids = [c.pk for c in collections]
    if user is None or not user.is_authenticated or not ids:
        return set()
    return set(
        CollectionVote.objects.filter(user_id=user.pk, collection_id__in=ids).values_list(
            "collection_id", flat=True
        )
    )


def collection_position(collection: Collection) -> int:
    """Where the collection stands among its owner's public ones (Hugging Face's `position`):
    0 for the oldest. Only public ones count, so that it tells nothing of the others."""
    earlier = Q(created_at__lt=collection.created_at) | Q(
        created_at=collection.created_at, pk__lt=collection.pk
    )
    return Collection.objects.filter(
        earlier, owner_id=collection.owner_id, visibility=Visibility.PUBLIC
    ).count()


def collection_by_id_or_404(*, pk: int, viewer: AnyUser | None) -> Collection:
    """The collection with this number when the viewer may read it (forms name collections by
    number); one they may not see answers like one that does not exist."""
    found = Collection.objects.select_related("owner").filter(pk=pk).first()
    if found is None or not found.readable_by(viewer):
        raise Http404(f"There is no collection number {pk}.")
    return found
