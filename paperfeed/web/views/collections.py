"""Collections' pages: the list of public collections, a user's collections, a collection (its
share address), its settings, its BibTeX, and the page that adds a paper to collections (the
no-JavaScript twin of the picker on each card). The actions are in collection_actions.py.

A collection the viewer may not see answers the same 404 as one that does not exist
(collections.selectors.collection_get_or_404), on every page and format.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.collections.models import Collection, CollectionItem
from paperfeed.collections.selectors import (
    Sort,
    collection_editors,
    collection_get_or_404,
    collection_ids_holding,
    collection_items,
    collection_voted_ids,
    collections_editable,
    collections_public,
    collections_visible_of,
    owner_get_or_404,
)
from paperfeed.collections.services import (
    OWNER_ONLY,
    CollectionError,
    collection_create,
    collection_update,
)
from paperfeed.community.selectors import paper_entries
from paperfeed.papers.models import Paper
from paperfeed.web.bibtex import bibtex_key, paper_bibtex
from paperfeed.web.collection_forms import CollectionForm, NewCollectionForm
from paperfeed.web.http import is_htmx

PER_PAGE = 30


def collections_index(request: HttpRequest) -> HttpResponse:
    """Public collections, most upvoted or newest first; logged in, a form to make one (POST)."""
    form = CollectionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={reverse('collections')}")
        if form.is_valid():
            try:
                made = collection_create(user=request.user, **form.cleaned_data)
            except CollectionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Collection “{made.title}” made. Add papers from any paper card."
                )
                return redirect(collection_url(made))
    sort = request.GET.get("sort", "")
    order: Sort = "new" if sort == "new" else "upvotes"
    page_number = _page_number(request)
    found = collections_public(sort=order, limit=PER_PAGE + 1, offset=(page_number - 1) * PER_PAGE)
    context = {
        "nav": "collections",
        "sort": "new" if order == "new" else "popular",
        "collections": found[:PER_PAGE],
        "page_number": page_number,
        "has_next": len(found) > PER_PAGE,
        "form": form,
    }
    return render(request, "web/collection_index.html", context)


def collections_of(request: HttpRequest, owner: str) -> HttpResponse:
    person = owner_get_or_404(username=owner)
    found = collections_visible_of(owner=person, viewer=request.user)
    context = {
        "nav": "collections",
        "person": person,
        "collections": found,
        "is_self": request.user.pk == person.pk,
        "form": CollectionForm(),
    }
    return render(request, "web/collection_owner.html", context)


def collection_detail(request: HttpRequest, owner: str, slug: str) -> HttpResponse:
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.user)
    items = collection_items(collection=collection)
    entries = paper_entries([(item.paper, None) for item in items], user=request.user)
    can_edit = collection.editable_by(request.user)
    editors = collection_editors(collection=collection)
    context = {
        "nav": "collections",
        "collection": collection,
        "rows": [
            {"item": item, "entry": entry} for item, entry in zip(items, entries, strict=True)
        ],
        "can_edit": can_edit,
        "is_owner": collection.owned_by(request.user),
        "is_editor": any(e.pk == request.user.pk for e in editors),
        "editors": editors,
        "voted": bool(collection_voted_ids(user=request.user, collections=[collection])),
        "share_url": request.build_absolute_uri(collection_url(collection)),
    }
    return render(request, "web/collection_detail.html", context)


@login_required
def collection_settings(request: AuthenticatedHttpRequest, owner: str, slug: str) -> HttpResponse:
    """The owner's page for the title, description, visibility, editors and deletion."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.user)
    if not collection.owned_by(request.user):
        raise PermissionDenied(OWNER_ONLY)
    initial = {k: getattr(collection, k) for k in ("title", "description", "visibility")}
    form = CollectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            collection_update(user=request.user, collection=collection, **form.cleaned_data)
        except CollectionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Collection saved.")
            return redirect(collection_url(collection))
    context = {
        "nav": "collections",
        "collection": collection,
        "form": form,
        "editors": collection_editors(collection=collection),
    }
    return render(request, "web/collection_edit.html", context)


def collection_bibtex(request: HttpRequest, owner: str, slug: str) -> HttpResponse:
    """Every paper of the collection as BibTeX, in the collection's order."""
    collection = collection_get_or_404(owner=owner, slug=slug, viewer=request.user)
    papers = [item.paper for item in collection_items(collection=collection)]
    response = HttpResponse(bibtex_entries(papers), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{collection.slug}.bib"'
    return response


def bibtex_entries(papers: list[Paper]) -> str:
    """One entry per paper (web/bibtex.py), with keys made unique within the file, as BibTeX
    needs: a second `vaswani2017attention` becomes `vaswani2017attentionb`."""
    seen: dict[str, int] = {}
    entries = []
    for paper in papers:
        entry, key = paper_bibtex(paper), bibtex_key(paper)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            unique = key + _suffix(seen[key])
            entry = entry.replace(f"@misc{{{key},", f"@misc{{{unique},", 1)
        entries.append(entry)
    return "\n\n".join(entries) + ("\n" if entries else "")


def _suffix(n: int) -> str:
    """2 → b, 26 → z, 27 → ab ..."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def picker(
    request: HttpRequest, paper: Paper, *, back: str, form: NewCollectionForm, status: int = 200,
    **extra: Any,
) -> HttpResponse:  # fmt: skip
    editable = collections_editable(user=request.user)
    holding = collection_ids_holding(paper=paper, collections=editable)
    context = {
        "paper": paper,
        "rows": [(c, c.pk in holding) for c in editable],
        "next": back,
        "form": form,
        "nav": None,
        **extra,
    }
    template = "web/collection_picker.html" if is_htmx(request) else "web/collection_paper.html"
    return render(request, template, context, status=status)


def collection_url(collection: Collection) -> str:
    return reverse("collection", args=[collection.owner.get_username(), collection.slug])


def item_url(item: CollectionItem) -> str:
    return f"{collection_url(item.collection)}#item-{item.pk}"


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1
