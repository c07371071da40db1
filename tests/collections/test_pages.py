"""The collections' pages and actions with Django's test client: lists, a collection's page,
adding from a card with htmx and without JavaScript, ordering, notes, upvotes, settings."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client

from paperfeed.collections.models import Collection, CollectionItem
from tests.collections.conftest import HTMX, SECRET, Shelf, url

Login = Callable[[User | None], Client]


def text(response: object) -> str:
    assert response.status_code == 200, response.status_code  # type: ignore[attr-defined]
    return response.content.decode()  # type: ignore[attr-defined]


def order(collection: Collection) -> list[str]:
    rows = CollectionItem.objects.filter(collection=collection).order_by("position")
    return [item.paper.arxiv_id for item in rows]


def test_the_collections_page_lists_public_ones_popular_and_new(shelf: Shelf, login: Login) -> None:
    page = text(login(None).get("/collections"))
    assert "Diffusion reading group" in page and "2 papers" in page
    assert "Unlisted drafts" not in page and SECRET not in page
    assert 'href="/collections/ada/diffusion-reading-group"' in page
    assert "New collection" not in page  # the form is for people who are logged in
    assert "Diffusion reading group" in text(login(None).get("/collections?sort=new"))
    assert 'aria-current="page">Collections<' in page  # the nav link


def test_a_collection_is_made_from_the_collections_page(shelf: Shelf, login: Login) -> None:
    eve = login(shelf.eve)
    form = {"title": "Eve's shelf", "description": "Mine.", "visibility": "unlisted"}
    response = eve.post("/collections", form)
    assert response.status_code == 302 and response["Location"] == "/collections/eve/eves-shelf"
    made = Collection.objects.get(owner=shelf.eve)
    assert (made.title, made.description, made.visibility) == ("Eve's shelf", "Mine.", "unlisted")
    refused = eve.post("/collections", {"title": "   ", "visibility": "public"})
    assert refused.status_code == 200 and "Give the collection a title." in refused.content.decode()
    anonymous = login(None).post("/collections", form)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_a_collection_page_shows_papers_in_order_with_notes(shelf: Shelf, login: Login) -> None:
    page = text(login(None).get(url(shelf.public)))
    assert "<h1>Diffusion reading group</h1>" in page and "What we read on Fridays." in page
    first = page.index("Sparse diffusion transformers")
    assert first < page.index("Graph networks for weather")
    assert "Start here." in page and "with bob" in page
    assert 'href="/collections/ada/diffusion-reading-group/feed.atom"' in page
    assert 'href="/collections/ada/diffusion-reading-group/bibtex"' in page
    assert "http://testserver/collections/ada/diffusion-reading-group" in page  # to share
    assert "Add a paper" not in page and "Settings" not in page and "noindex" not in page
    unlisted = text(login(None).get(url(shelf.unlisted)))
    assert '<meta name="robots" content="noindex">' in unlisted


def test_editors_see_the_tools_and_only_the_owner_the_settings(shelf: Shelf, login: Login) -> None:
    as_bob = text(login(shelf.bob).get(url(shelf.public)))
    assert "Add a paper" in as_bob and "Note and position" in as_bob and "Settings" not in as_bob
    assert "Stop editing" in as_bob
    as_ada = text(login(shelf.ada).get(url(shelf.public)))
    assert "Settings" in as_ada and "Stop editing" not in as_ada
    as_eve = text(login(shelf.eve).get(url(shelf.public)))
    assert "Add a paper" not in as_eve and "Note and position" not in as_eve
    assert login(shelf.bob).get(url(shelf.public, "/edit")).status_code == 403
    assert login(shelf.eve).get(url(shelf.public, "/edit")).status_code == 403
    assert login(shelf.eve).get(url(shelf.private, "/edit")).status_code == 404


def test_paper_cards_offer_collections_to_people_logged_in(shelf: Shelf, login: Login) -> None:
    assert "+ Collection" not in text(login(None).get("/"))
    page = text(login(shelf.eve).get("/"))
    assert "+ Collection" in page
    assert 'hx-get="/papers/2603.00001/collections?next=/"' in page
    assert 'href="/papers/2603.00001/collections?next=/"' in page  # without JavaScript
    paper = text(login(shelf.eve).get("/papers/2603.00001"))
    assert "+ Add to collection" in paper


def test_htmx_loads_the_picker_and_adds_in_place(shelf: Shelf, login: Login) -> None:
    bob = login(shelf.bob)
    picker = text(bob.get("/papers/2603.00003/collections?next=/", **HTMX))
    assert picker.startswith('<div class="collect-picker">')  # a fragment, no page around it
    assert "Diffusion reading group" in picker and SECRET in picker  # bob edits all three
    assert picker.count('aria-pressed="true"') == 1  # the unlisted collection holds it
    response = bob.post(
        "/papers/2603.00003/collections",
        {"collection": shelf.public.pk, "on": "1", "next": "/"},
        **HTMX,
    )
    fragment = text(response)
    assert "Added to “Diffusion reading group”." in fragment
    assert fragment.count('aria-pressed="true"') == 2
    assert order(shelf.public) == ["2603.00001", "2603.00002", "2603.00003"]
    # The same click again changes nothing; on=0 takes it out.
    bob.post("/papers/2603.00003/collections", {"collection": shelf.public.pk, "on": "1"}, **HTMX)
    assert order(shelf.public) == ["2603.00001", "2603.00002", "2603.00003"]
    out = bob.post(
        "/papers/2603.00003/collections", {"collection": shelf.public.pk, "on": "0"}, **HTMX
    )
    assert "Removed from “Diffusion reading group”." in text(out)
    assert order(shelf.public) == ["2603.00001", "2603.00002"]


def test_htmx_makes_a_new_collection_with_the_paper(shelf: Shelf, login: Login) -> None:
    eve = login(shelf.eve)
    form = {"title": "Weather", "visibility": "private", "next": "/"}
    fragment = text(eve.post("/papers/2603.00002/collections", form, **HTMX))
    assert "Added to your new collection “Weather”." in fragment
    made = Collection.objects.get(owner=shelf.eve)
    assert made.visibility == "private" and order(made) == ["2603.00002"]
    blank = text(eve.post("/papers/2603.00002/collections", {"title": " "}, **HTMX))
    assert '<p class="error" role="alert">Give the collection a title.</p>' in blank


def test_without_javascript_a_page_lists_collections_and_forms_redirect_back(
    shelf: Shelf, login: Login
) -> None:
    bob = login(shelf.bob)
    page = text(bob.get("/papers/2603.00003/collections?next=/trending"))
    assert "<h1>Add to collections</h1>" in page and "Diffusion reading group" in page
    assert 'name="next" value="/trending"' in page
    response = bob.post(
        "/papers/2603.00003/collections",
        {"collection": shelf.public.pk, "on": "1", "next": "/trending"},
    )
    assert response.status_code == 302 and response["Location"] == "/trending"
    assert order(shelf.public)[-1] == "2603.00003"
    after = text(bob.get("/trending"))
    assert "Added to “Diffusion reading group”." in after
    made = bob.post("/papers/hep-th/9901001/collections", {"title": "Strings", "next": "/"})
    assert made.status_code == 302 and made["Location"] == "/"
    assert order(Collection.objects.get(owner=shelf.bob)) == ["hep-th/9901001"]
    # Without a `next`, back to the paper.
    plain = bob.post("/papers/2603.00002/collections", {"collection": shelf.unlisted.pk})
    assert plain["Location"] == "/papers/2603.00002"


def test_adding_to_a_collection_one_may_not_edit(shelf: Shelf, login: Login) -> None:
    eve = login(shelf.eve)
    form = {"collection": shelf.public.pk, "on": "1"}
    assert eve.post("/papers/2603.00003/collections", form).status_code == 403
    hidden = eve.post("/papers/2603.00003/collections", {"collection": shelf.private.pk})
    missing = eve.post("/papers/2603.00003/collections", {"collection": 999_999})
    assert hidden.status_code == missing.status_code == 404
    anonymous = login(None).get("/papers/2603.00003/collections")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert order(shelf.public) == ["2603.00001", "2603.00002"]


def test_editors_order_annotate_add_and_remove_papers(shelf: Shelf, login: Login) -> None:
    bob = login(shelf.bob)
    add = bob.post(url(shelf.public, "/items"), {"paper": "arXiv:hep-th/9901001v1"})
    item = CollectionItem.objects.get(collection=shelf.public, paper__arxiv_id="hep-th/9901001")
    assert add["Location"] == f"{url(shelf.public)}#item-{item.pk}"
    missing = bob.post(url(shelf.public, "/items"), {"paper": "2501.99999"})
    assert missing.status_code == 302
    assert "not in this catalog" in text(bob.get(url(shelf.public)))
    bob.post(url(shelf.public, f"/items/{item.pk}/move"), {"direction": "up"})
    assert order(shelf.public) == ["2603.00001", "hep-th/9901001", "2603.00002"]
    bob.post(url(shelf.public, f"/items/{item.pk}/move"), {"position": "1"})
    assert order(shelf.public) == ["hep-th/9901001", "2603.00001", "2603.00002"]
    bob.post(url(shelf.public, f"/items/{item.pk}/move"), {"direction": "down"})
    assert order(shelf.public) == ["2603.00001", "hep-th/9901001", "2603.00002"]
    bob.post(url(shelf.public, f"/items/{item.pk}/note"), {"note": "Old but gold."})
    assert CollectionItem.objects.get(pk=item.pk).note == "Old but gold."
    page = text(bob.get(url(shelf.public)))
    assert re.search(r"Strings on branes.*Old but gold\..*Graph networks", page, re.S)
    bob.post(url(shelf.public, f"/items/{item.pk}/remove"))
    assert order(shelf.public) == ["2603.00001", "2603.00002"]


def test_upvote_a_collection_with_htmx_and_without(shelf: Shelf, login: Login) -> None:
    eve = login(shelf.eve)
    fragment = text(eve.post(url(shelf.public, "/upvote"), {"on": "1"}, **HTMX))
    assert fragment.startswith('<form class="vote voted"') and '<span class="count">1<' in fragment
    assert Collection.objects.get(pk=shelf.public.pk).upvotes == 1
    eve.post(url(shelf.public, "/upvote"), {"on": "1"}, **HTMX)  # once per user
    assert Collection.objects.get(pk=shelf.public.pk).upvotes == 1
    back = eve.post(url(shelf.public, "/upvote"), {"on": "0", "next": "/collections"})
    assert back["Location"] == "/collections"
    assert Collection.objects.get(pk=shelf.public.pk).upvotes == 0
    anonymous = login(None).post(url(shelf.public, "/upvote"), {"on": "1"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_owner_changes_settings_names_editors_and_deletes(shelf: Shelf, login: Login) -> None:
    ada = login(shelf.ada)
    form = text(ada.get(url(shelf.public, "/edit")))
    assert 'value="Diffusion reading group"' in form and "bob" in form
    saved = ada.post(
        url(shelf.public, "/edit"),
        {"title": "Friday papers", "description": "", "visibility": "private"},
    )
    assert saved["Location"] == url(shelf.public)  # the address stays
    shelf.public.refresh_from_db()
    assert (shelf.public.title, shelf.public.visibility) == ("Friday papers", "private")
    ada.post(url(shelf.public, "/editors"), {"username": "eve"})
    assert shelf.public.editable_by(shelf.eve)
    ada.post(url(shelf.public, "/editors"), {"username": "nobody"})
    assert "There is no user “nobody”" in text(ada.get(url(shelf.public, "/edit")))
    ada.post(url(shelf.public, "/editors/eve/remove"))
    assert not shelf.public.editable_by(shelf.eve)
    kept = ada.post(url(shelf.public, "/delete"))  # without the tick
    assert kept.status_code == 302 and Collection.objects.filter(pk=shelf.public.pk).exists()
    gone = ada.post(url(shelf.public, "/delete"), {"confirm": "yes"})
    assert gone["Location"] == "/collections/ada"
    assert not Collection.objects.filter(pk=shelf.public.pk).exists()


def test_an_editor_can_stop_editing(shelf: Shelf, login: Login) -> None:
    bob = login(shelf.bob)
    response = bob.post(url(shelf.private, "/editors/bob/remove"))
    assert response["Location"] == "/collections/bob"
    assert bob.get(url(shelf.private)).status_code == 404  # private: no longer theirs to see


def test_owner_pages_and_the_profile_section(shelf: Shelf, login: Login) -> None:
    for person in (None, shelf.eve):
        page = text(login(person).get("/collections/ada"))
        assert "Diffusion reading group" in page
        assert "Unlisted drafts" not in page and SECRET not in page
    for person in (shelf.ada, shelf.bob):
        page = text(login(person).get("/collections/ada"))
        assert "Unlisted drafts" in page and SECRET in page
    assert login(None).get("/collections/nobody").status_code == 404
    profile = text(login(shelf.bob).get("/accounts/profile/"))
    assert "Your collections" in profile and SECRET in profile and "by ada" in profile


def test_staff_see_collections_in_the_admin(shelf: Shelf, login: Login) -> None:
    boss = User.objects.create_user("boss", is_staff=True, is_superuser=True)
    admin = login(boss)
    listing = text(admin.get("/admin/paper_collections/collection/"))
    assert SECRET in listing and "Diffusion reading group" in listing
    change = text(admin.get(f"/admin/paper_collections/collection/{shelf.public.pk}/change/"))
    assert "Start here." in change  # the items inline, with their notes
