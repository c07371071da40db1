"""Collections: named lists of papers in Hugging Face's collections API shape, so that
`huggingface_hub.HfApi(endpoint=...)`'s `get_collection`, `list_collections`,
`create_collection`, `update_collection_metadata`, `add_collection_item`,
`update_collection_item` and `delete_collection_item` work against paperfeed.

A private collection is, for anyone but its owner and editors, exactly a collection that does
not exist: the same 404 and problem, never a 403. A reader who may see it but not change it
gets 403.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from paperfeed.api import collection_items as items
from paperfeed.api.auth import AuthedRequest
from paperfeed.api.collection_schemas import (
    CollectionIn,
    CollectionListed,
    CollectionOut,
    CollectionPatch,
    CollectionUpdated,
    CollectionVoteOut,
    visibility_of,
)
from paperfeed.api.collection_shapes import (
    Owner,
    Slug,
    collection_full,
    collections_listed,
    reader,
    refusal,
    writes,
)
from paperfeed.api.common import (
    LIMIT_DOC,
    MAX_PAGE,
    PAGE_DOC,
    WRITE_ERRORS,
    capped,
    errors,
    link_next,
)
from paperfeed.collections.selectors import (
    collection_get_or_404,
    collections_public,
    collections_visible_of,
)
from paperfeed.collections.services import (
    CollectionError,
    collection_create,
    collection_delete,
    collection_update,
    collection_vote_set,
)

router = Router(tags=["collections"])

SORTS = {"upvotes": "upvotes", "new": "new", "lastModified": "updated"}


@router.get(
    "/collections",
    response={200: list[CollectionListed], **errors(422)},
    by_alias=True,
    summary="Collections",
    operation_id="collections_list",
)
def collections_list(
    request: HttpRequest,
    response: HttpResponse,
    owner: Annotated[
        str | None,
        Query(
            max_length=150,
            description="Only this user's collections (their unlisted and private ones too "
            "when you are their owner or an editor).",
        ),
    ] = None,
    sort: Annotated[
        Literal["upvotes", "new", "lastModified"],
        Query(description="upvotes: most upvoted first; new: newest first; lastModified."),
    ] = "upvotes",
    p: Annotated[int, Query(ge=0, le=MAX_PAGE, description=PAGE_DOC)] = 0,
    limit: Annotated[int, Query(ge=1, description=LIMIT_DOC)] = 20,
) -> list[dict[str, Any]]:
    """Public collections, each with its first four papers (`numItems` counts them all).
    Unlisted and private collections are never listed, except to their owner and editors
    when `owner` is given."""
    viewer, size = reader(request), capped(limit)
    order: Any = SORTS[sort]
    if owner is not None:
        person = User.objects.filter(username=owner).first()
        found = collections_visible_of(owner=person, viewer=viewer, sort=order) if person else []
        found = found[p * size : (p + 1) * size + 1]
    else:
        found = collections_public(sort=order, limit=size + 1, offset=p * size)
    if len(found) > size:
        link_next(request, response, page=p)
    return collections_listed(request, found[:size], viewer=viewer)


@router.post(
    "/collections",
    response={201: CollectionOut, **errors(*WRITE_ERRORS, 409)},
    summary="Make a collection",
    operation_id="collection_create",
    **writes(),
)
def collection_new(
    request: AuthedRequest, response: HttpResponse, payload: CollectionIn
) -> Status[dict[str, Any]]:
    """Make a collection of yours; its slug comes from the title (`reading-group`, then
    `reading-group-2`, ...) and stays when the title changes. `Location` is its address in
    the API."""
    if payload.namespace not in (None, "", request.auth.get_username()):
        raise PermissionDenied("You can make collections under your own user name only.")
    visibility = visibility_of(visibility=payload.visibility, private=payload.private)
    try:
        made = collection_create(
            user=request.auth, title=payload.title, description=payload.description,
            visibility=visibility or "public",
        )  # fmt: skip
    except CollectionError as exc:
        raise refusal(exc) from None
    response["Location"] = request.build_absolute_uri(
        f"/api/collections/{quote(made.owner.get_username())}/{made.slug}"
    )
    return Status(201, collection_full(request, made, viewer=request.auth))


@router.get(
    "/collections/{owner}/{slug}",
    response={200: CollectionOut, **errors(404)},
    by_alias=True,
    summary="One collection",
    operation_id="collection_get",
)
def collection_read(request: HttpRequest, owner: Owner, slug: Slug) -> dict[str, Any]:
    """The collection with all its papers, in its order."""
    viewer = reader(request)
    return collection_full(
        request, collection_get_or_404(owner=owner, slug=slug, viewer=viewer), viewer
    )


@router.patch(
    "/collections/{owner}/{slug}",
    response={200: CollectionUpdated, **errors(*WRITE_ERRORS)},
    summary="Change a collection",
    operation_id="collection_update",
    **writes(),
)
def collection_edit(
    request: AuthedRequest, owner: Owner, slug: Slug, payload: CollectionPatch
) -> dict[str, Any]:
    """Change the title, description or visibility (the owner alone). Answers the collection
    under `data`, as Hugging Face's API does."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    visibility = visibility_of(visibility=payload.visibility, private=payload.private)
    try:
        collection_update(
            user=request.auth, collection=collection, title=payload.title,
            description=payload.description, visibility=visibility,
        )  # fmt: skip
    except CollectionError as exc:
        raise refusal(exc) from None
    return {"data": collection_full(request, collection, viewer=request.auth)}


@router.delete(
    "/collections/{owner}/{slug}",
    response={204: None, **errors(*WRITE_ERRORS)},
    summary="Delete a collection",
    operation_id="collection_delete",
    **writes(),
)
def collection_remove(request: AuthedRequest, owner: Owner, slug: Slug) -> Status[None]:
    """Delete the collection (the owner alone)."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    collection_delete(user=request.auth, collection=collection)
    return Status(204, None)


@router.post(
    "/collections/{owner}/{slug}/upvote",
    response={200: CollectionVoteOut, **errors(*WRITE_ERRORS)},
    summary="Upvote a collection",
    operation_id="collection_upvote",
    **writes(),
)
def upvote(request: AuthedRequest, owner: Owner, slug: Slug) -> dict[str, Any]:
    """Upvote the collection; upvoting twice counts once."""
    return _vote(request, owner, slug, on=True)


@router.delete(
    "/collections/{owner}/{slug}/upvote",
    response={200: CollectionVoteOut, **errors(*WRITE_ERRORS)},
    summary="Remove a collection upvote",
    operation_id="collection_upvote_remove",
    **writes(),
)
def upvote_remove(request: AuthedRequest, owner: Owner, slug: Slug) -> dict[str, Any]:
    """Take your upvote back (nothing happens if you had not upvoted)."""
    return _vote(request, owner, slug, on=False)


def _vote(request: AuthedRequest, owner: str, slug: str, *, on: bool) -> dict[str, Any]:
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    state = collection_vote_set(user=request.auth, collection=collection, on=on)
    return {"upvoted": state.upvoted, "upvotes": state.upvotes}


# The papers and editors of a collection, under the same paths.
router.add_router("", items.router)
