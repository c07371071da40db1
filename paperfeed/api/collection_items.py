"""A collection's papers and editors: add, annotate, move and remove papers (the owner and
editors), name and remove editors (the owner; an editor may remove themselves). Mounted on the
collections router (collections.py)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404
from ninja import Path, Router, Status
from ninja.errors import HttpError

from paperfeed.api.auth import AuthedRequest
from paperfeed.api.collection_schemas import CollectionOut, ItemIn, ItemPatch
from paperfeed.api.collection_shapes import (
    Owner,
    Slug,
    collection_full,
    item_or_404,
    refusal,
    writes,
)
from paperfeed.api.common import WRITE_ERRORS, errors, not_in_catalog_detail
from paperfeed.collections.selectors import collection_get_or_404
from paperfeed.collections.services import (
    CollectionError,
    NotAnEditor,
    UnknownUser,
    collection_editor_add,
    collection_editor_remove,
    collection_item_add,
    collection_item_remove,
    collection_item_update,
    may_edit,
    must_own,
)
from paperfeed.papers.selectors import paper_get_or_404

router = Router(tags=["collections"])

ItemRef = Annotated[
    str,
    Path(
        description="The item: its `_id`, or the paper's arXiv id (old-style ids keep their "
        "slash: hep-th/9901001)."
    ),
]


@router.post(
    "/collections/{owner}/{slug}/items",
    response={201: CollectionOut, **errors(*WRITE_ERRORS, 409)},
    summary="Add a paper to a collection",
    operation_id="collection_item_add",
    **writes(),
)
def item_add(
    request: AuthedRequest, owner: Owner, slug: Slug, payload: ItemIn
) -> Status[dict[str, Any]]:
    """Add a paper at the end (its owner and editors): `{"paper": "2401.12345", "note": ""}`,
    or Hugging Face's `{"item": {"id": "2401.12345", "type": "paper"}}`. A paper that is in
    the collection already is a 409."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    may_edit(user=request.auth, collection=collection)
    text = payload.paper or (payload.item.id if payload.item else "")
    if not text:
        raise HttpError(422, "Name the paper: `paper` (an arXiv id) or `item`.")
    paper = paper_get_or_404(text, message=not_in_catalog_detail)
    try:
        collection_item_add(
            user=request.auth, collection=collection, paper=paper, note=payload.note
        )
    except CollectionError as exc:
        raise refusal(exc) from None
    return Status(201, collection_full(request, collection, viewer=request.auth))


@router.patch(
    "/collections/{owner}/{slug}/items/{path:item}",
    response={200: CollectionOut, **errors(*WRITE_ERRORS)},
    summary="Change a paper's note or position",
    operation_id="collection_item_update",
    **writes(),
)
def item_edit(
    request: AuthedRequest, owner: Owner, slug: Slug, item: ItemRef, payload: ItemPatch
) -> dict[str, Any]:
    """Change the note about a paper, or move it (its owner and editors)."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    may_edit(user=request.auth, collection=collection)
    found = item_or_404(collection, item)
    try:
        collection_item_update(
            user=request.auth, collection=collection, paper=found.paper, note=payload.note,
            position=payload.position,
        )  # fmt: skip
    except CollectionError as exc:
        raise refusal(exc) from None
    return collection_full(request, collection, viewer=request.auth)


@router.delete(
    "/collections/{owner}/{slug}/items/{path:item}",
    response={204: None, **errors(*WRITE_ERRORS)},
    summary="Remove a paper from a collection",
    operation_id="collection_item_remove",
    **writes(),
)
def item_remove(request: AuthedRequest, owner: Owner, slug: Slug, item: ItemRef) -> Status[None]:
    """Take a paper out (its owner and editors); the papers after it move up."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    may_edit(user=request.auth, collection=collection)
    found = item_or_404(collection, item)
    collection_item_remove(user=request.auth, collection=collection, paper=found.paper)
    return Status(204, None)


@router.put(
    "/collections/{owner}/{slug}/editors/{username}",
    response={200: CollectionOut, **errors(*WRITE_ERRORS, 409)},
    summary="Name an editor",
    operation_id="collection_editor_add",
    **writes(),
)
def editor_add(
    request: AuthedRequest,
    owner: Owner,
    slug: Slug,
    username: Annotated[str, Path(description="The user who may edit the collection's papers.")],
) -> dict[str, Any]:
    """Let a user add, remove, order and annotate the collection's papers (the owner alone).
    The owner cannot be named (409)."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    must_own(user=request.auth, collection=collection)
    try:
        collection_editor_add(user=request.auth, collection=collection, username=username)
    except UnknownUser as exc:
        raise Http404(str(exc)) from None
    except NotAnEditor as exc:
        raise HttpError(409, str(exc)) from None
    except CollectionError as exc:
        raise refusal(exc) from None
    return collection_full(request, collection, viewer=request.auth)


@router.delete(
    "/collections/{owner}/{slug}/editors/{username}",
    response={204: None, **errors(*WRITE_ERRORS)},
    summary="Remove an editor",
    operation_id="collection_editor_remove",
    **writes(),
)
def editor_remove(
    request: AuthedRequest,
    owner: Owner,
    slug: Slug,
    username: Annotated[str, Path(description="The editor to remove.")],
) -> Status[None]:
    """The owner removes an editor; an editor may remove themselves."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.auth)
    collection_editor_remove(user=request.auth, collection=collection, username=username)
    return Status(204, None)
