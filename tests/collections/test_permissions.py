"""Who sees and changes what: owner, editor, another reader and an anonymous visitor, each
against a public, an unlisted and a private collection, on every surface: the page, the feed,
the BibTeX, the API's read and list, the /collections listing, the owner's page and the write
actions. A private collection answers anyone else exactly as a collection that does not exist
does (the same status and body), and its title appears nowhere they can look."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.collections.models import Collection, CollectionItem
from tests.collections.conftest import JSON, SECRET, Shelf, api_url, url, without_csrf

Login = Callable[[User | None], Client]
Bearer = Callable[[User], dict[str, str]]
PEOPLE = ["ada", "bob", "eve", None]  # owner, editor, another reader, anonymous
VISIBILITIES = ["public", "unlisted", "private"]


def person(shelf: Shelf, name: str | None) -> User | None:
    return getattr(shelf, name) if name else None


def reads(name: str | None, visibility: str) -> bool:
    return visibility != "private" or name in ("ada", "bob")


def listed(name: str | None, visibility: str) -> bool:
    """On the owner's page and in the API's list by owner."""
    return visibility == "public" or name in ("ada", "bob")


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("name", PEOPLE)
def test_reading_a_collection_everywhere(
    shelf: Shelf, login: Login, bearer: Bearer, name: str | None, visibility: str
) -> None:
    collection, who = shelf.of(visibility), person(shelf, name)
    client = login(who)
    expected = 200 if reads(name, visibility) else 404
    for suffix in ("", "/feed.atom", "/bibtex"):
        assert client.get(url(collection, suffix)).status_code == expected, suffix
    headers = bearer(who) if who else {}
    response = Client().get(api_url(collection), headers=headers)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["title"] == collection.title
    else:
        assert response["Content-Type"] == "application/problem+json"
    # Lists: /collections and the API's list show public collections alone, to everyone.
    titles = [c["title"] for c in Client().get("/api/collections", headers=headers).json()]
    assert (collection.title in titles) is (visibility == "public")
    assert (collection.title in client.get("/collections").content.decode()) is (
        visibility == "public"
    )
    # By owner: the unlisted and private ones too, for their owner and editors only.
    mine = Client().get("/api/collections?owner=ada", headers=headers).json()
    assert (collection.title in [c["title"] for c in mine]) is listed(name, visibility)
    page = client.get("/collections/ada").content.decode()
    assert (collection.title in page) is listed(name, visibility)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("name", PEOPLE)
def test_changing_a_collection(
    shelf: Shelf, login: Login, bearer: Bearer, name: str | None, visibility: str
) -> None:
    """Editors change papers; a reader who may see the collection gets 403, one who may not
    404; anonymous visitors are sent to log in (the API: 401)."""
    collection, who = shelf.of(visibility), person(shelf, name)
    client = login(who)
    edits = name in ("ada", "bob")
    web = client.post(url(collection, "/items"), {"paper": "2603.00002"})
    api = Client().post(
        api_url(collection, "/items"), {"paper": "2603.00002"}, content_type=JSON,
        headers=bearer(who) if who else {},
    )  # fmt: skip
    if who is None:
        assert web.status_code == 302 and "/accounts/login/" in web["Location"]
        assert api.status_code == 401
    elif edits:
        assert web.status_code == 302 and api.status_code in (201, 409)
    else:
        expected = 404 if visibility == "private" else 403
        assert web.status_code == expected and api.status_code == expected
    # The owner's actions: editors and readers get 403 where they can see the collection.
    owner_only = [
        (url(collection, "/delete"), {"confirm": "yes"}),
        (url(collection, "/editors"), {"username": "eve"}),
        (url(collection, "/edit"), {"title": "Taken", "visibility": "public"}),
    ]
    for path, form in owner_only:
        status = client.post(path, form).status_code
        if who is None:
            assert status == 302
        elif name == "ada":
            continue
        else:
            assert status == (403 if reads(name, visibility) else 404), path
    if name != "ada":  # nothing of the owner's changed
        kept = Collection.objects.get(pk=collection.pk)
        assert kept.title == collection.title and not kept.editable_by(shelf.eve)
        added = CollectionItem.objects.filter(collection=kept, paper__arxiv_id="2603.00002")
        assert added.exists() is (edits or visibility == "public")  # public: in from the start


@pytest.mark.parametrize(
    "suffix", ["", "/feed.atom", "/bibtex", "/edit", "/upvote", "/items", "/delete"]
)
@pytest.mark.parametrize("name", ["eve", None])
def test_a_private_collection_answers_as_one_that_does_not_exist(
    shelf: Shelf, login: Login, name: str | None, suffix: str
) -> None:
    client = login(person(shelf, name))
    path = url(shelf.private, suffix)
    ask: Callable[[], Any] = (
        (lambda: client.post(path, {"paper": "2603.00001", "confirm": "yes"}))
        if suffix in ("/upvote", "/items", "/delete")
        else (lambda: client.get(path))
    )
    hidden = ask()
    Collection.objects.filter(pk=shelf.private.pk).delete()
    missing = ask()
    assert hidden.status_code == missing.status_code
    assert hidden.status_code in (404, 302)  # 302: anonymous, sent to log in either way
    assert dict(hidden.items()).keys() == dict(missing.items()).keys()
    assert without_csrf(hidden.content) == without_csrf(missing.content)
    assert SECRET.encode() not in hidden.content


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("post", "/items"),
        ("delete", "/items/hep-th/9901001"),
        ("patch", "/items/hep-th/9901001"),
        ("post", "/upvote"),
        ("put", "/editors/eve"),
        ("delete", "/editors/bob"),
    ],
)
def test_the_api_answers_a_private_collection_as_a_missing_one(
    shelf: Shelf, bearer: Bearer, method: str, suffix: str
) -> None:
    client, headers = Client(), bearer(shelf.eve)
    path = api_url(shelf.private, suffix)
    body = {"paper": "2603.00001", "title": "x", "note": "x"}

    def ask() -> Any:
        send = getattr(client, method)
        return send(path, body, content_type=JSON, headers=headers)

    hidden = ask()
    Collection.objects.filter(pk=shelf.private.pk).delete()
    missing = ask()
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert hidden["Content-Type"] == missing["Content-Type"] == "application/problem+json"
    assert hidden.json()["detail"] == "There is no collection “ada/secret-project-zeta”."


@pytest.mark.parametrize("name", ["eve", None])
def test_the_private_title_shows_nowhere_to_others(
    shelf: Shelf, login: Login, bearer: Bearer, name: str | None
) -> None:
    who = person(shelf, name)
    client = login(who)
    headers = bearer(who) if who else {}
    pages = [
        "/", "/trending", "/collections", "/collections?sort=new", "/collections/ada",
        "/papers/hep-th/9901001", "/search?q=zeta", "/feeds/daily.atom",
    ]  # fmt: skip
    if who is not None:
        pages += ["/accounts/profile/", "/papers/hep-th/9901001/collections"]
    for path in pages:
        body = client.get(path).content.decode()
        assert SECRET not in body and "zeta notes" not in body, path
    for path in ("/api/collections", "/api/collections?owner=ada&sort=new"):
        body = Client().get(path, headers=headers).content.decode()
        assert SECRET not in body and "secret-project-zeta" not in body, path


def test_owner_and_editor_see_the_private_title(shelf: Shelf, login: Login) -> None:
    for who in (shelf.ada, shelf.bob):
        client = login(who)
        assert SECRET in client.get("/collections/ada").content.decode()
        assert SECRET in client.get("/accounts/profile/").content.decode()
        assert SECRET in client.get("/papers/hep-th/9901001/collections").content.decode()
