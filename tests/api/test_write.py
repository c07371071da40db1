"""Write endpoints with a personal token or the session: submit, upvote, comments, library,
saved searches; and every error status they answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.models import LibraryEntry, SavedSearch
from paperfeed.community.models import Comment, Featured, Vote
from tests.api.conftest import World, assert_problem
from tests.support import recorded_atom
from tests.support.replay import ReplayServer, Reply

JSON = "application/json"
Bearer = Callable[[User], dict[str, str]]


def test_upvote_and_remove_it(api: Client, world: World, user: User, bearer: Bearer) -> None:
    auth = bearer(user)
    response = api.post("/api/papers/2603.00001/upvote", headers=auth)
    assert response.status_code == 200 and response.json() == {"upvoted": True, "upvotes": 8}
    again = api.post("/api/papers/2603.00001/upvote", headers=auth)
    assert again.json() == {"upvoted": True, "upvotes": 8}  # counts once
    assert Vote.objects.filter(user=user).count() == 1
    assert api.get("/api/papers/2603.00001").json()["upvotes"] == 8
    removed = api.delete("/api/papers/2603.00001/upvote", headers=auth)
    assert removed.json() == {"upvoted": False, "upvotes": 7}
    old = api.post("/api/papers/hep-th/9901001/upvote", headers=auth)
    assert old.json() == {"upvoted": True, "upvotes": 1}
    assert_problem(api.post("/api/papers/2501.99999/upvote", headers=auth), 404)


def test_comment_edit_and_delete(
    api: Client, world: World, user: User, make_user: Any, bearer: Bearer
) -> None:
    auth = bearer(user)
    url = "/api/papers/2603.00001/comments"
    created = api.post(url, {"body": "Great **paper**"}, content_type=JSON, headers=auth)
    assert created.status_code == 201, created.content
    comment = created.json()
    assert comment["author"] == "ada" and comment["html"] == "<p>Great <strong>paper</strong></p>\n"
    assert api.get("/api/papers/2603.00001").json()["numComments"] == 3
    edited = api.patch(
        f"/api/comments/{comment['id']}", {"body": "Edited"}, content_type=JSON, headers=auth
    )
    assert edited.status_code == 200 and edited.json()["body"] == "Edited"
    assert edited.json()["editedAt"] is not None
    # Someone else may neither edit nor delete it.
    other = bearer(make_user("eve"))
    assert_problem(
        api.patch(
            f"/api/comments/{comment['id']}", {"body": "mine now"}, content_type=JSON, headers=other
        ),
        403,
        detail_has="author",
    )
    assert_problem(api.delete(f"/api/comments/{comment['id']}", headers=other), 403)
    assert Comment.objects.get(pk=comment["id"]).body == "Edited"
    assert api.delete(f"/api/comments/{comment['id']}", headers=auth).status_code == 204
    assert not Comment.objects.filter(pk=comment["id"]).exists()
    assert_problem(api.delete(f"/api/comments/{comment['id']}", headers=auth), 404)


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"body": "   "}, 400, "cannot be empty"),
        ({"body": "x" * 10_001}, 422, "body: String should have at most 10000 characters"),
        ({}, 422, "body: Field required"),
        ({"body": 5}, 422, "body"),
    ],
)
def test_bad_comments_are_refused_with_a_reason(
    api: Client, world: World, user: User, bearer: Bearer, body: Any, status: int, detail: str
) -> None:
    response = api.post(
        "/api/papers/2603.00001/comments", body, content_type=JSON, headers=bearer(user)
    )
    assert_problem(response, status, detail_has=detail)


def test_a_body_that_is_not_json_is_a_400_problem(
    api: Client, world: World, user: User, bearer: Bearer
) -> None:
    response = api.post(
        "/api/papers/2603.00001/comments", "{not json", content_type=JSON, headers=bearer(user)
    )
    assert_problem(response, 400, detail_has="not valid JSON")


def test_library(api: Client, world: World, user: User, bearer: Bearer) -> None:
    auth = bearer(user)
    assert api.put("/api/library/2603.00003", headers=auth).json() == {"inLibrary": True}
    assert api.put("/api/library/hep-th/9901001", headers=auth).json() == {"inLibrary": True}
    assert api.put("/api/library/hep-th/9901001", headers=auth).json() == {"inLibrary": True}
    listed = api.get("/api/library", headers=auth)
    assert [i["paper"]["id"] for i in listed.json()] == ["hep-th/9901001", "2603.00003"]
    page = api.get("/api/library?limit=1", headers=auth)
    assert len(page.json()) == 1 and 'rel="next"' in page["Link"]
    assert api.delete("/api/library/2603.00003", headers=auth).json() == {"inLibrary": False}
    assert LibraryEntry.objects.filter(user=user).count() == 1
    assert_problem(api.put("/api/library/2501.99999", headers=auth), 404)


def test_saved_searches(
    api: Client, world: World, user: User, make_user: Any, bearer: Bearer
) -> None:
    auth = bearer(user)
    saved = api.post(
        "/api/saved_searches",
        {"query": "diffusion  cat:cs.LG", "name": "Diff"},
        content_type=JSON,
        headers=auth,
    )
    assert saved.status_code == 201
    assert saved.json()["query"] == "diffusion cat:cs.LG" and saved.json()["name"] == "Diff"
    unnamed = api.post("/api/saved_searches", {"query": "weather"}, content_type=JSON, headers=auth)
    assert unnamed.json()["name"] == "weather"
    assert [s["name"] for s in api.get("/api/saved_searches", headers=auth).json()] == [
        "Diff",
        "weather",
    ]
    assert_problem(
        api.post("/api/saved_searches", {"query": " "}, content_type=JSON, headers=auth),
        400,
        detail_has="nothing to save",
    )
    nul = {"query": "weather", "name": "a\x00b"}  # PostgreSQL cannot store NUL: no engine takes it
    assert_problem(api.post("/api/saved_searches", nul, content_type=JSON, headers=auth), 400)
    other = bearer(make_user("eve"))
    assert api.get("/api/saved_searches", headers=other).json() == []
    assert_problem(api.delete(f"/api/saved_searches/{saved.json()['id']}", headers=other), 404)
    assert api.delete(f"/api/saved_searches/{saved.json()['id']}", headers=auth).status_code == 204
    assert_problem(api.delete(f"/api/saved_searches/{saved.json()['id']}", headers=auth), 404)
    assert SavedSearch.objects.filter(user=user).count() == 1


def test_submit_a_stored_paper(api: Client, world: World, user: User, bearer: Bearer) -> None:
    response = api.post(
        "/api/papers/index",
        {"arxivId": "https://arxiv.org/abs/2603.00005v1"},
        content_type=JSON,
        headers=bearer(user),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == "2603.00005" and body["submittedOnDailyBy"]["user"] == "ada"
    assert body["submittedOnDailyAt"] == "2026-03-14T00:00:00Z"
    assert Featured.objects.get(paper__arxiv_id="2603.00005").submitted_user == user


def test_submitting_a_featured_paper_is_a_409_conflict(
    api: Client, world: World, user: User, bearer: Bearer
) -> None:
    response = api.post(
        "/api/papers/index", {"arxivId": "2603.00001"}, content_type=JSON, headers=bearer(user)
    )
    assert_problem(response, 409, detail_has="already featured")


@pytest.mark.parametrize(
    ("arxiv_id", "detail"),
    [
        ("hep-th/9901001", "only papers from the last"),
        ("not an id", "is not an arXiv id or URL"),
    ],
)
def test_submit_refusals_are_400_problems(
    api: Client, world: World, user: User, bearer: Bearer, arxiv_id: str, detail: str
) -> None:
    response = api.post(
        "/api/papers/index", {"arxivId": arxiv_id}, content_type=JSON, headers=bearer(user)
    )
    assert_problem(response, 400, detail_has=detail)


def test_submit_a_new_paper_fetches_it_from_arxiv(
    api: Client,
    world: World,
    user: User,
    bearer: Bearer,
    replay_server: ReplayServer,
    settings: Any,
) -> None:
    """Fetched from a loopback replay of a recorded arXiv API response."""
    settings.ARXIV_API_URL = f"{replay_server.url}/api/query"
    settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS = 100_000  # the recorded paper is from 2021
    body = str(recorded_atom("id_2104.12255v1_s0_m100_6ae69987ffe1")["body"])
    replay_server.add("/api/query", None, Reply(200, body))
    response = api.post(
        "/api/papers/index", {"arxivId": "2104.12255v1"}, content_type=JSON, headers=bearer(user)
    )
    assert response.status_code == 201, response.content
    assert response.json()["id"] == "2104.12255" and response.json()["title"]
    assert Featured.objects.filter(paper__arxiv_id="2104.12255").exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/papers/index"),
        ("post", "/api/papers/2603.00001/upvote"),
        ("delete", "/api/papers/2603.00001/upvote"),
        ("post", "/api/papers/2603.00001/comments"),
        ("patch", "/api/comments/1"),
        ("delete", "/api/comments/1"),
        ("get", "/api/library"),
        ("put", "/api/library/2603.00001"),
        ("delete", "/api/library/2603.00001"),
        ("get", "/api/saved_searches"),
        ("post", "/api/saved_searches"),
        ("delete", "/api/saved_searches/1"),
    ],
)
def test_writes_without_credentials_are_401_problems(
    api: Client, world: World, method: str, url: str
) -> None:
    response = getattr(api, method)(url, {}, content_type=JSON)
    assert_problem(response, 401, detail_has="Authorization: Bearer")


def test_the_session_works_with_the_csrf_header_only(world: World, user: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    refused = browser.post("/api/papers/2603.00001/upvote")
    assert_problem(refused, 403, detail_has="X-CSRFToken")
    browser.get("/accounts/profile/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post("/api/papers/2603.00001/upvote", headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.json()["upvoted"] is True
    # Reading needs no CSRF token.
    assert browser.get("/api/library").status_code == 200
