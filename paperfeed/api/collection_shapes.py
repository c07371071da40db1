"""Collections turned into the API's payloads (collection_schemas.py has their shapes), and what
the collection endpoints share: who is reading, the path parameters, the refusals."""

from __future__ import annotations

from typing import Annotated, Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Path
from ninja.errors import HttpError

from paperfeed.api.auth import AUTH, bearer_user
from paperfeed.api.collection_schemas import LIST_ITEMS
from paperfeed.api.shapes import extras_for, paper_payload
from paperfeed.api.throttling import write_throttles
from paperfeed.collections.models import Collection, CollectionItem
from paperfeed.collections.selectors import (
    collection_editor_names,
    collection_items,
    collection_items_of,
    collection_position,
    collection_voted_ids,
)
from paperfeed.collections.services import AlreadyInCollection, CollectionError, LimitReached
from paperfeed.community.selectors import paper_entries
from paperfeed.papers.selectors import paper_get

Owner = Annotated[str, Path(description="The owner's user name.")]
Slug = Annotated[str, Path(description="The collection's slug: its address is owner/slug.")]


def writes() -> dict[str, Any]:
    """What every write endpoint declares: authentication, the write rate limits, and `_id`
    written as Hugging Face spells it."""
    return {"auth": AUTH, "throttle": write_throttles(), "by_alias": True}


def reader(request: HttpRequest) -> User | None:
    """Who reads: the caller of a write endpoint, else a valid token's user (a token wins over
    a session beside it), else the session's user. Read endpoints ignore tokens they do not
    know, as the papers' do."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    return bearer_user(request) or (request.user if isinstance(request.user, User) else None)


def refusal(exc: CollectionError) -> HttpError:
    """409 for what conflicts with what is stored (a paper there already, a limit reached),
    400 for the rest (a blank title...), with the service's reason."""
    conflict = isinstance(exc, AlreadyInCollection | LimitReached)
    return HttpError(409 if conflict else 400, str(exc))


def item_or_404(collection: Collection, ref: str) -> CollectionItem:
    """The item named by its `_id` (digits: an arXiv id never is) or by its paper's id."""
    found: CollectionItem | None = None
    if ref.isdigit():
        if len(ref) <= 18:  # a larger number names no row
            found = CollectionItem.objects.filter(collection=collection, pk=int(ref)).first()
    else:
        paper = paper_get(arxiv_id=ref[:300])
        found = CollectionItem.objects.filter(collection=collection, paper=paper).first()
    if found is None:
        raise Http404(f"“{ref[:80]}” is not in this collection.")
    return found


def _url(request: HttpRequest, collection: Collection) -> str:
    path = reverse("collection", args=[collection.owner.get_username(), collection.slug])
    return request.build_absolute_uri(path)


def collection_full(
    request: HttpRequest, collection: Collection, viewer: User | None
) -> dict[str, Any]:
    collection.refresh_from_db(fields=["upvotes", "updated_at"])
    items = collection_items(collection=collection)
    return {
        **collection_payload(
            collection,
            items=item_payloads(items),
            count=len(items),
            editors=collection_editor_names([collection])[collection.pk],
            voted=bool(collection_voted_ids(user=viewer, collections=[collection])),
            url=_url(request, collection),
        ),
        "position": collection_position(collection),
    }


def collections_listed(
    request: HttpRequest, collections: list[Collection], *, viewer: User | None
) -> list[dict[str, Any]]:
    """List entries with their first papers: a fixed number of queries for the page."""
    firsts = collection_items_of(collections, per_collection=LIST_ITEMS)
    payloads = iter(item_payloads([item for c in collections for item in firsts[c.pk]]))
    editors = collection_editor_names(collections)
    voted = collection_voted_ids(user=viewer, collections=collections)
    return [
        collection_payload(
            c,
            items=[next(payloads) for _ in firsts[c.pk]],
            count=getattr(c, "item_count", len(firsts[c.pk])),
            editors=editors[c.pk],
            voted=c.pk in voted,
            url=_url(request, c),
        )
        for c in collections
    ]


def owner_payload(user: User) -> dict[str, str]:
    name = user.get_username()
    return {"name": name, "fullname": name, "avatarUrl": "", "type": "user"}


def item_payloads(items: list[CollectionItem]) -> list[dict[str, Any]]:
    """Collection items with their papers' fields (upvotes, code and summaries in a fixed
    number of queries for the whole list)."""
    entries = paper_entries([(item.paper, None) for item in items])
    extras = extras_for([item.paper.pk for item in items])
    return [
        {
            **paper_payload(item.paper, upvotes=entry.upvotes, extras=extras[item.paper.pk]),
            "_id": str(item.pk),
            "type": "paper",
            "position": item.position,
            "note": {"text": item.note} if item.note else None,
            "addedAt": item.added_at,
            "addedBy": item.added_by.get_username() if item.added_by else None,
        }
        for item, entry in zip(items, entries, strict=True)
    ]


def collection_payload(
    collection: Collection,
    *,
    items: list[dict[str, Any]],
    count: int,
    editors: list[str],
    voted: bool,
    url: str,
) -> dict[str, Any]:
    owner = collection.owner.get_username()
    return {
        "slug": f"{owner}/{collection.slug}",
        "title": collection.title,
        "description": collection.description,
        "owner": owner_payload(collection.owner),
        "items": items,
        "numItems": count,
        "lastUpdated": collection.updated_at,
        "createdAt": collection.created_at,
        "private": collection.is_private,
        "visibility": collection.visibility,
        "theme": "default",
        "upvotes": collection.upvotes,
        "isUpvotedByUser": voted,
        "editors": editors,
        "url": url,
    }
