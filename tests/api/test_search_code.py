"""GET /api/papers/search?code=true: only papers that name their own code repository."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from paperfeed.search.indexing import keyword_sync
from tests.api.conftest import World, assert_problem
from tests.community.factories import make_paper

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [item["paper"]["id"] for item in response.json()]


@pytest.fixture
def with_code(indexed: World) -> World:
    """The API's world, plus a diffusion paper that names its code and one that only cites
    someone else's."""
    make_paper("2603.00010", published=date(2026, 3, 12), title="Diffusion policies, with code",
               comments="Code: https://github.com/o/diffusion-policies")  # fmt: skip
    make_paper("2603.00011", published=date(2026, 3, 12), title="Diffusion baselines revisited",
               abstract="We compare with https://github.com/other/baseline.")  # fmt: skip
    keyword_sync()
    return indexed


def test_code_keeps_papers_that_name_their_own_code(api: Client, with_code: World) -> None:
    every = ids(api.get("/api/papers/search?q=diffusion"))
    assert {"2603.00001", "2603.00010", "2603.00011"} <= set(every)
    assert ids(api.get("/api/papers/search?q=diffusion&code=true")) == ["2603.00010"]
    assert ids(api.get("/api/papers/search?q=diffusion has:code")) == ["2603.00010"]
    assert ids(api.get("/api/papers/search?q=diffusion&code=false")) == every
    assert ids(api.get("/api/papers/search?code=true")) == ["2603.00010"]  # a filter alone
    assert ids(api.get("/api/papers/search?code=1&category=cs.LG&after=2026-03-01")) == [
        "2603.00010"
    ]
    assert ids(api.get("/api/papers/search?code=true&category=hep-th")) == []


def test_minus_has_code_and_unknown_has_values(api: Client, with_code: World) -> None:
    without = ids(api.get("/api/papers/search", {"q": "diffusion -has:code"}))
    assert "2603.00010" not in without and "2603.00011" in without
    assert ids(api.get("/api/papers/search", {"q": "diffusion has:pdf"})) == ids(
        api.get("/api/papers/search", {"q": "diffusion"})
    )


def test_a_code_value_that_is_not_a_boolean_is_a_422_problem(api: Client, with_code: World) -> None:
    assert_problem(api.get("/api/papers/search?q=diffusion&code=maybe"), 422)


def test_the_schema_declares_the_code_parameter(client: Client, db: None) -> None:
    spec = client.get("/api/openapi.json").json()
    parameters = spec["paths"]["/api/papers/search"]["get"]["parameters"]
    code = next(p for p in parameters if p["name"] == "code")
    assert code["in"] == "query" and code["required"] is False
    assert code["schema"]["type"] == "boolean" and code["schema"]["default"] is False
    assert "own code repository" in code["description"]
    q = next(p for p in parameters if p["name"] == "q")
    assert "has:code" in q["description"]
