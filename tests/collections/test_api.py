"""The collections API with a personal token: list, read, create, edit, delete, add, move,
annotate and remove papers, editors, upvotes; and every refusal as problem details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperfeed.collections.models import Collection, CollectionItem
from tests.api.conftest import assert_problem
from tests.collections.conftest import JSON, Shelf, api_url

Bearer = Callable[[User], dict[str, str]]


def order(collection: Collection) -> list[str]:
    rows = CollectionItem.objects.filter(collection=collection).order_by("position")
    return [item.paper.arxiv_id for item in rows]


def send(method: str, path: str, body: Any = None, **headers: Any) -> Any:
    return getattr(Client(), method)(path, body, content_type=JSON, headers=headers)


def test_read_a_collection_in_hugging_faces_shape(shelf: Shelf) -> None:
    response = Client().get(api_url(shelf.public))
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "ada/diffusion-reading-group"
    assert body["title"] == "Diffusion reading group"
    assert body["description"] == "What we read on Fridays."
    assert body["owner"] == {"name": "ada", "fullname": "ada", "avatarUrl": "", "type": "user"}
    assert (body["private"], body["visibility"], body["theme"]) == (False, "public", "default")
    assert (body["upvotes"], body["isUpvotedByUser"], body["position"]) == (0, False, 0)
    assert body["editors"] == ["bob"] and body["numItems"] == 2
    assert body["url"] == "http://testserver/collections/ada/diffusion-reading-group"
    assert body["lastUpdated"].startswith("2026-03-14T18:00:00")
    first, second = body["items"]
    item = CollectionItem.objects.get(collection=shelf.public, position=0)
    assert first["_id"] == str(item.pk) and first["id"] == "2603.00001"
    assert (first["type"], first["position"], first["note"]) == (
        "paper",
        0,
        {"text": "Start here."},
    )
    assert first["title"] == "Sparse diffusion transformers for protein design"
    assert first["authors"] == [
        {"name": "Ada Lovelace", "hidden": False}, {"name": "Alan Turing", "hidden": False}
    ]  # fmt: skip
    assert first["upvotes"] == 7 and first["arxivUrl"] == "https://arxiv.org/abs/2603.00001"
    assert first["addedBy"] == "ada" and second["addedBy"] == "bob"
    assert (second["id"], second["position"], second["note"]) == ("2603.00002", 1, None)


def test_list_public_collections_by_upvotes_and_new_with_paging(
    shelf: Shelf, bearer: Bearer
) -> None:
    eve = bearer(shelf.eve)
    made = send("post", "/api/collections", {"title": "Eve's picks"}, **eve).json()
    send("post", api_url(shelf.public, "/upvote"), **eve)
    listed = Client().get("/api/collections").json()
    assert [c["slug"] for c in listed] == ["ada/diffusion-reading-group", made["slug"]]
    assert "position" not in listed[0]  # huggingface_hub's list_collections sets it itself
    assert listed[0]["numItems"] == 2 and len(listed[0]["items"]) == 2
    assert listed[0]["upvotes"] == 1 and listed[0]["isUpvotedByUser"] is False
    assert Client().get("/api/collections", headers=eve).json()[0]["isUpvotedByUser"] is True
    page = Client().get("/api/collections?sort=new&limit=1")
    assert [c["slug"] for c in page.json()] == ["eve/eves-picks"]  # made last: the same second
    assert 'rel="next"' in page["Link"] and "p=1" in page["Link"]
    second = Client().get("/api/collections?sort=new&limit=1&p=1")
    assert [c["slug"] for c in second.json()] == ["ada/diffusion-reading-group"]
    assert not second.has_header("Link")
    assert Client().get("/api/collections?owner=nobody").json() == []
    assert_problem(Client().get("/api/collections?sort=best"), 422, detail_has="sort")


def test_create_edit_and_delete_with_a_token(shelf: Shelf, bearer: Bearer) -> None:
    eve = bearer(shelf.eve)
    made = send(
        "post", "/api/collections",
        {"title": "Weather models", "description": "Forecasting.", "private": True}, **eve,
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["slug"] == "eve/weather-models" and body["private"] is True
    assert body["visibility"] == "private" and body["items"] == [] and body["position"] == 0
    assert Client().get("/api/collections/eve/weather-models").status_code == 404  # private
    edited = send(
        "patch", "/api/collections/eve/weather-models",
        {"title": "Weather", "visibility": "unlisted"}, **eve,
    )  # fmt: skip
    assert edited.status_code == 200, edited.content
    data = edited.json()["data"]  # under `data`, as Hugging Face's API answers
    assert (data["title"], data["visibility"], data["private"]) == ("Weather", "unlisted", False)
    assert data["slug"] == "eve/weather-models"  # the address stays
    assert Client().get("/api/collections/eve/weather-models").status_code == 200
    assert (
        send("patch", "/api/collections/eve/weather-models", {"private": True}, **eve).json()[
            "data"
        ]["visibility"]
        == "private"
    )
    gone = send("delete", "/api/collections/eve/weather-models", **eve)
    assert gone.status_code == 204
    assert not Collection.objects.filter(owner=shelf.eve).exists()
    assert_problem(send("delete", "/api/collections/eve/weather-models", **eve), 404)


def test_add_move_annotate_and_remove_papers(shelf: Shelf, bearer: Bearer) -> None:
    bob = bearer(shelf.bob)  # an editor
    added = send("post", api_url(shelf.public, "/items"), {"paper": "hep-th/9901001v2"}, **bob)
    assert added.status_code == 201, added.content
    assert [i["id"] for i in added.json()["items"]] == [
        "2603.00001",
        "2603.00002",
        "hep-th/9901001",
    ]
    # Hugging Face's way to name the item, with a note.
    hf = {"item": {"id": "2603.00003", "type": "paper"}, "note": "Background."}
    assert send("post", api_url(shelf.public, "/items"), hf, **bob).status_code == 201
    assert CollectionItem.objects.get(
        paper__arxiv_id="2603.00003", collection=shelf.public
    ).note == ("Background.")
    again = send("post", api_url(shelf.public, "/items"), {"paper": "2603.00001"}, **bob)
    assert_problem(again, 409, detail_has="in this collection already")
    # Move an old-style id (its slash in the path) to the front, by id, then by `_id`.
    moved = send("patch", api_url(shelf.public, "/items/hep-th/9901001"), {"position": 0}, **bob)
    assert moved.status_code == 200 and moved.json()["items"][0]["id"] == "hep-th/9901001"
    item = CollectionItem.objects.get(collection=shelf.public, paper__arxiv_id="2603.00002")
    noted = send("patch", api_url(shelf.public, f"/items/{item.pk}"), {"note": "Fig. 2"}, **bob)
    assert noted.status_code == 200
    assert CollectionItem.objects.get(pk=item.pk).note == "Fig. 2"
    assert order(shelf.public) == ["hep-th/9901001", "2603.00001", "2603.00002", "2603.00003"]
    removed = send("delete", api_url(shelf.public, "/items/hep-th/9901001"), **bob)
    assert removed.status_code == 204
    assert order(shelf.public) == ["2603.00001", "2603.00002", "2603.00003"]
    assert_problem(send("delete", api_url(shelf.public, "/items/hep-th/9901001"), **bob), 404)
    missing = send("post", api_url(shelf.public, "/items"), {"paper": "2501.99999"}, **bob)
    assert_problem(missing, 404, detail_has="not in this catalog")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({}, 422, "Name the paper"),
        ({"paper": None}, 422, "Name the paper"),
        ({"item": {"id": "2603.00003", "type": "model"}}, 422, "item.type"),
        ({"paper": "2603.00003", "note": "n" * 1001}, 422, "note"),
        ({"paper": "2603.00003", "note": "a\x00b"}, 400, "NUL"),
    ],
)
def test_bad_additions_are_refused_with_a_reason(
    shelf: Shelf, bearer: Bearer, body: Any, status: int, detail: str
) -> None:
    response = send("post", api_url(shelf.public, "/items"), body, **bearer(shelf.ada))
    assert_problem(response, status, detail_has=detail)


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"title": "   "}, 400, "cannot be empty"),
        ({"title": "t" * 101}, 422, "title"),
        ({}, 422, "title: Field required"),
        ({"title": "x", "visibility": "secret"}, 422, "visibility"),
        ({"title": "x", "namespace": "ada"}, 403, "your own user name"),
    ],
)
def test_bad_collections_are_refused_with_a_reason(
    shelf: Shelf, bearer: Bearer, body: Any, status: int, detail: str
) -> None:
    response = send("post", "/api/collections", body, **bearer(shelf.eve))
    assert_problem(response, status, detail_has=detail)


def test_writes_need_a_token_or_the_session_with_csrf(shelf: Shelf) -> None:
    assert_problem(send("post", "/api/collections", {"title": "x"}), 401)
    assert_problem(send("post", api_url(shelf.public, "/items"), {"paper": "2603.00003"}), 401)
    session = Client(enforce_csrf_checks=True)
    session.force_login(shelf.ada, backend="django.contrib.auth.backends.ModelBackend")
    refused = session.post("/api/collections", {"title": "x"}, content_type=JSON)
    assert_problem(refused, 403, detail_has="CSRF")


def test_only_the_owner_edits_details_and_editors(shelf: Shelf, bearer: Bearer) -> None:
    bob, eve, ada = bearer(shelf.bob), bearer(shelf.eve), bearer(shelf.ada)
    assert_problem(
        send("patch", api_url(shelf.public), {"title": "B"}, **bob), 403, detail_has="owner"
    )
    assert_problem(send("delete", api_url(shelf.public), **bob), 403)
    assert_problem(send("put", api_url(shelf.public, "/editors/eve"), **bob), 403)
    assert_problem(send("patch", api_url(shelf.public), {"title": "E"}, **eve), 403)
    named = send("put", api_url(shelf.public, "/editors/eve"), **ada)
    assert named.status_code == 200 and named.json()["editors"] == ["bob", "eve"]
    assert (
        send("post", api_url(shelf.public, "/items"), {"paper": "2603.00003"}, **eve).status_code
        == 201
    )
    assert_problem(
        send("put", api_url(shelf.public, "/editors/nobody"), **ada), 404, detail_has="no user"
    )
    assert_problem(
        send("put", api_url(shelf.public, "/editors/ada"), **ada), 409, detail_has="owner"
    )
    assert send("delete", api_url(shelf.public, "/editors/eve"), **eve).status_code == 204  # leaves
    assert send("delete", api_url(shelf.public, "/editors/bob"), **ada).status_code == 204
    assert Client().get(api_url(shelf.public)).json()["editors"] == []


def test_upvote_a_collection_once_and_take_it_back(shelf: Shelf, bearer: Bearer) -> None:
    eve = bearer(shelf.eve)
    up = send("post", api_url(shelf.unlisted, "/upvote"), **eve)
    assert up.status_code == 200 and up.json() == {"upvoted": True, "upvotes": 1}
    assert send("post", api_url(shelf.unlisted, "/upvote"), **eve).json()["upvotes"] == 1
    read = Client().get(api_url(shelf.unlisted), headers=eve).json()
    assert read["upvotes"] == 1 and read["isUpvotedByUser"] is True
    down = send("delete", api_url(shelf.unlisted, "/upvote"), **eve)
    assert down.json() == {"upvoted": False, "upvotes": 0}


def test_the_schema_declares_the_collections_endpoints(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/collections"]) == {"get", "post"}
    assert set(paths["/api/collections/{owner}/{slug}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/collections/{owner}/{slug}/items/{item}"]) == {"patch", "delete"}
    item = schema["components"]["schemas"]["CollectionPaper"]["properties"]
    assert "_id" in item and "item_object_id" not in item
    body = schema["components"]["schemas"]["ItemIn"]
    assert {"required": ["paper"], "properties": {"paper": {"type": "string"}}} in body["anyOf"]


def test_a_list_costs_the_same_queries_however_many_collections(shelf: Shelf) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get("/api/collections?limit=50").status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        made = Collection.objects.create(owner=shelf.eve, slug=f"c{n}", title=f"C{n}")
        CollectionItem.objects.create(collection=made, paper=shelf.papers["2603.00001"], position=0)
    assert count() == before
