"""Errors everywhere under /api/ are RFC 9457 problems; the rate limits answer 429."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.models import RateCounter
from paperfeed.accounts.ratelimit import rate_hit
from tests.api.conftest import World, assert_problem

JSON = "application/json"


@pytest.mark.parametrize("path", ["/api/", "/api/nothing", "/api/papers", "/api/daily_papers/x"])
def test_unknown_paths_are_404_problems(api: Client, world: World, path: str) -> None:
    assert_problem(api.get(path), 404, detail_has="/api/docs")


def test_a_wrong_method_is_a_405_problem_that_says_what_is_allowed(
    api: Client, world: World
) -> None:
    response = api.post("/api/daily_papers")
    assert_problem(response, 405)
    assert "GET" in response["Allow"]
    assert_problem(api.put("/api/papers/2603.00001"), 405)


def test_server_errors_are_500_problems(
    api: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paperfeed.api.papers as papers

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(papers, "paper_community", broken)
    client = Client(raise_request_exception=False)
    body = assert_problem(client.get("/api/papers/2603.00001"), 500)
    assert "boom" not in body["detail"]


def test_writes_are_limited_per_token(
    api: Client,
    world: World,
    user: User,
    bearer: Callable[[User], dict[str, str]],
    settings: Any,
) -> None:
    settings.API_WRITE_RATE = 3
    auth = bearer(user)
    for _ in range(3):
        assert api.put("/api/library/2603.00001", headers=auth).status_code == 200
    refused = api.put("/api/library/2603.00001", headers=auth)
    assert_problem(refused, 429, detail_has="Too many requests")
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_writes_are_limited_per_address_across_tokens(
    api: Client,
    world: World,
    make_user: Any,
    bearer: Callable[[User], dict[str, str]],
    settings: Any,
) -> None:
    settings.API_WRITE_RATE = 2
    assert api.put("/api/library/2603.00001", headers=bearer(make_user())).status_code == 200
    assert api.put("/api/library/2603.00001", headers=bearer(make_user())).status_code == 200
    # A fresh token from the same address is still refused.
    assert_problem(api.put("/api/library/2603.00001", headers=bearer(make_user())), 429)
    # Another address is not.
    other = api.put("/api/library/2603.00001", headers=bearer(make_user()), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_search_is_limited_per_address(api: Client, indexed: World, settings: Any) -> None:
    settings.API_SEARCH_RATE = 2
    assert api.get("/api/papers/search?q=weather").status_code == 200
    assert api.get("/api/papers/search?q=weather").status_code == 200
    assert_problem(api.get("/api/papers/search?q=weather"), 429)
    assert api.get("/api/papers/search?q=weather", REMOTE_ADDR="192.0.2.8").status_code == 200
    # Reading the daily papers is not limited.
    assert api.get("/api/daily_papers").status_code == 200


def test_counters_are_shared_rows_in_fixed_windows(db: None) -> None:
    assert rate_hit(key="k", window=60, now=120.0) == (1, 60.0)
    assert rate_hit(key="k", window=60, now=150.0) == (2, 30.0)
    assert rate_hit(key="k", window=60, now=180.0) == (1, 60.0)  # a new window
    assert rate_hit(key="other", window=60, now=181.0)[0] == 1
    assert RateCounter.objects.get(key="k", window_start=120).hits == 2
