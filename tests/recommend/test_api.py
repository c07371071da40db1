"""GET /api/recommendations for the signed-in reader (token or session)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.tokens import api_token_create
from paperfeed.papers.models import Paper
from paperfeed.recommend.selectors import title_short
from tests.recommend.conftest import by_title

pytestmark = pytest.mark.django_db


def bearer(person: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=person, name='tests').secret}"}


def test_it_needs_a_reader(client: Client) -> None:
    response = client.get("/api/recommendations")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_it_lists_the_readers_picks_with_reasons(catalog: list[Paper], reader: Callable) -> None:
    saved = by_title(catalog, "medical")[:2]
    person = reader(saved)
    response = Client().get("/api/recommendations?limit=5&window=month", headers=bearer(person))
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 5
    assert {i["paper"]["id"] for i in items}.isdisjoint(p.arxiv_id for p in saved)
    titles = {title_short(p.title) for p in saved}
    assert all(any(t in i["reason"] for t in titles) for i in items)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_the_session_works_too_and_bad_windows_are_refused(
    catalog: list[Paper], user: User
) -> None:
    client = Client()
    client.force_login(user)
    assert client.get("/api/recommendations").json() == []  # no signal yet
    bad = client.get("/api/recommendations?window=year")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")


def test_not_interested_hides_a_pick_and_undo_restores_it(
    catalog: list[Paper], reader: Callable
) -> None:
    person = reader(by_title(catalog, "medical")[:2])
    auth = bearer(person)
    api = Client()
    url = "/api/recommendations?limit=5&window=month"
    first = api.get(url, headers=auth).json()[0]["paper"]["id"]
    marked = api.put(f"/api/recommendations/dismissed/{first}", headers=auth)
    assert marked.status_code == 200 and marked.json() == {"dismissed": True}
    again = api.put(f"/api/recommendations/dismissed/{first}", headers=auth)
    assert again.json() == {"dismissed": True}  # idempotent
    assert first not in {i["paper"]["id"] for i in api.get(url, headers=auth).json()}
    undone = api.delete(f"/api/recommendations/dismissed/{first}", headers=auth)
    assert undone.json() == {"dismissed": False}
    assert first in {i["paper"]["id"] for i in api.get(url, headers=auth).json()}
    missing = api.put("/api/recommendations/dismissed/2501.99999", headers=auth)
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/problem+json")
    assert Client().put(f"/api/recommendations/dismissed/{first}").status_code == 401
