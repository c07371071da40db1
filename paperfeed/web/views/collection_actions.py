"""Collections' actions, all POST with CSRF: add a paper to collections (from a card or the
paper page), upvote, add, move, annotate and remove papers, name editors, delete.

Each works as a plain form POST that redirects back (no JavaScript needed); the picker and the
upvote answer an htmx request with the updated fragment instead. Who may do what is the
service's rule: a reader who may not change a collection gets 403, someone who may not see it
the 404 of a collection that does not exist.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.collections.models import Collection
from paperfeed.collections.selectors import (
    collection_by_id_or_404,
    collection_get_or_404,
    collection_item_get_or_404,
)
from paperfeed.collections.services import (
    OWNER_ONLY,
    AlreadyInCollection,
    CollectionError,
    collection_create,
    collection_delete,
    collection_editor_add,
    collection_editor_remove,
    collection_item_add,
    collection_item_remove,
    collection_item_update,
    collection_vote_set,
)
from paperfeed.papers.models import Paper
from paperfeed.papers.selectors import not_in_catalog, paper_get, paper_get_or_404
from paperfeed.web.collection_forms import NewCollectionForm, NoteForm, first_error
from paperfeed.web.http import back_url, is_htmx, login_required_action
from paperfeed.web.views.collections import collection_url, item_url, picker

MOVES = {"top": -(10**6), "up": -1, "down": 1, "bottom": 10**6}


def _on(request: HttpRequest) -> bool:
    """The state a button asks for (`on=1`/`on=0`), so that a repeated POST changes nothing."""
    return request.POST.get("on", "1") not in ("0", "false", "")


def _collection(request: HttpRequest, owner: str, slug: str) -> Collection:
    return collection_get_or_404(owner=owner, slug=slug, viewer=request.user)


@login_required_action
def paper_collections(request: AuthenticatedHttpRequest, arxiv_id: str) -> HttpResponse:
    """GET: the user's collections with this paper in or out, and a form for a new one (htmx
    loads it into the card; without JavaScript it is a page). POST: `collection` and `on`
    put the paper in or take it out; `title` (and `visibility`) makes a collection with it."""
    paper = paper_get_or_404(arxiv_id)
    back = back_url(request, reverse("paper", args=[paper.arxiv_id]))
    if request.method != "POST":
        return picker(request, paper, back=back, form=NewCollectionForm())
    form = NewCollectionForm(request.POST if "title" in request.POST else None)
    try:
        if form.is_bound:
            if not form.is_valid():
                raise CollectionError(first_error(form))
            made = collection_create(user=request.user, **form.cleaned_data)
            collection_item_add(user=request.user, collection=made, paper=paper)
            done = f"Added to your new collection “{made.title}”."
        else:
            done = _put(request, paper)
    except CollectionError as exc:
        if is_htmx(request):
            return picker(request, paper, back=back, form=form, error=str(exc))
        messages.error(request, str(exc))
        return redirect(back)
    if is_htmx(request):
        return picker(request, paper, back=back, form=NewCollectionForm(), done=done)
    messages.success(request, done)
    return redirect(back)


def _put(request: AuthenticatedHttpRequest, paper: Paper) -> str:
    """Put the paper in the collection the form names, or take it out."""
    raw = request.POST.get("collection", "")[:18]
    collection = collection_by_id_or_404(pk=int(raw) if raw.isdigit() else 0, viewer=request.user)
    if _on(request):
        with suppress(AlreadyInCollection):  # a second click: it is there, as asked
            collection_item_add(user=request.user, collection=collection, paper=paper)
        return f"Added to “{collection.title}”."
    collection_item_remove(user=request.user, collection=collection, paper=paper)
    return f"Removed from “{collection.title}”."


@require_POST
@login_required_action
def upvote(request: AuthenticatedHttpRequest, owner: str, slug: str) -> HttpResponse:
    collection = _collection(request, owner, slug)
    state = collection_vote_set(user=request.user, collection=collection, on=_on(request))
    back = back_url(request, collection_url(collection))
    if is_htmx(request):
        context = {"collection": collection, "voted": state.upvoted, "next": back}
        return render(request, "web/collection_vote.html", context)
    return redirect(back)


@require_POST
@login_required_action
def item_add(request: AuthenticatedHttpRequest, owner: str, slug: str) -> HttpResponse:
    """Add a paper by its arXiv id, typed on the collection's page."""
    collection = _collection(request, owner, slug)
    text = request.POST.get("paper", "").strip()[:300]
    paper = paper_get(arxiv_id=text) if text else None
    if paper is None:
        messages.error(request, not_in_catalog(text) if text else "Type an arXiv id to add.")
        return redirect(collection_url(collection) + "#add")
    try:
        item = collection_item_add(
            user=request.user, collection=collection, paper=paper, note=request.POST.get("note", "")
        )
    except CollectionError as exc:
        messages.error(request, str(exc))
        return redirect(collection_url(collection) + "#add")
    messages.success(request, f"Added arXiv:{paper.arxiv_id}.")
    return redirect(item_url(item))


@require_POST
@login_required_action
def item_move(
    request: AuthenticatedHttpRequest, owner: str, slug: str, item_id: int
) -> HttpResponse:
    """`direction` (top, up, down, bottom) or `position` (1 is first, as the page counts)."""
    collection = _collection(request, owner, slug)
    item = collection_item_get_or_404(collection=collection, item_id=item_id)
    direction, typed = request.POST.get("direction", ""), request.POST.get("position", "").strip()
    if direction in MOVES:
        position = max(0, item.position + MOVES[direction])
    elif typed.isdigit():
        position = max(0, int(typed[:6]) - 1)
    else:
        messages.error(request, "Say where to move the paper: a position, 1 for the first.")
        return redirect(item_url(item))
    collection_item_update(
        user=request.user, collection=collection, paper=item.paper, position=position
    )
    return redirect(item_url(item))


@require_POST
@login_required_action
def item_note(
    request: AuthenticatedHttpRequest, owner: str, slug: str, item_id: int
) -> HttpResponse:
    collection = _collection(request, owner, slug)
    item = collection_item_get_or_404(collection=collection, item_id=item_id)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise CollectionError(first_error(form))
        collection_item_update(
            user=request.user,
            collection=collection,
            paper=item.paper,
            note=form.cleaned_data["note"],
        )
    except CollectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Note saved.")
    return redirect(item_url(item))


@require_POST
@login_required_action
def item_remove(
    request: AuthenticatedHttpRequest, owner: str, slug: str, item_id: int
) -> HttpResponse:
    collection = _collection(request, owner, slug)
    item = collection_item_get_or_404(collection=collection, item_id=item_id)
    collection_item_remove(user=request.user, collection=collection, paper=item.paper)
    messages.success(request, f"Removed arXiv:{item.paper.arxiv_id}.")
    return redirect(collection_url(collection))


@require_POST
@login_required_action
def editor_add(request: AuthenticatedHttpRequest, owner: str, slug: str) -> HttpResponse:
    collection = _collection(request, owner, slug)
    try:
        editor = collection_editor_add(
            user=request.user,
            collection=collection,
            username=request.POST.get("username", "")[:150],
        )
    except CollectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{editor.get_username()} can now edit this collection's papers.")
    return redirect(reverse("collection_edit", args=[owner, slug]) + "#editors")


@require_POST
@login_required_action
def editor_remove(
    request: AuthenticatedHttpRequest, owner: str, slug: str, username: str
) -> HttpResponse:
    """The owner takes an editor off; an editor may take themselves off."""
    collection = _collection(request, owner, slug)
    collection_editor_remove(user=request.user, collection=collection, username=username)
    if collection.owned_by(request.user):
        messages.success(request, f"{username} no longer edits this collection.")
        return redirect(reverse("collection_edit", args=[owner, slug]) + "#editors")
    messages.success(request, f"You no longer edit “{collection.title}”.")
    return redirect("collections_of", owner=request.user.get_username())


@require_POST
@login_required_action
def delete(request: AuthenticatedHttpRequest, owner: str, slug: str) -> HttpResponse:
    collection = _collection(request, owner, slug)
    if not collection.owned_by(request.user):  # before the tick box: a 403, as the service says
        raise PermissionDenied(OWNER_ONLY)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick “Yes, delete it” to delete the collection.")
        return redirect(reverse("collection_edit", args=[owner, slug]) + "#delete")
    collection_delete(user=request.user, collection=collection)
    messages.success(request, f"Collection “{collection.title}” deleted.")
    return redirect("collections_of", owner=request.user.get_username())
