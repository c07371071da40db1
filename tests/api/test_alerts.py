"""Alerts through the API: saved with a search, changed, listed and stopped, with a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.alerts.models import Alert
from paperfeed.digests.models import Subscription
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db
JSON = "application/json"
Bearer = Callable[[User], dict[str, str]]


def test_a_search_saved_with_an_alert_reports_its_feed_and_asks_to_confirm_email(
    api: Client, make_user: Any, bearer: Bearer
) -> None:
    ada = make_user("ada", email="ada@example.org")
    auth = bearer(ada)
    body = {"query": "diffusion models cat:cs.CV", "alert": {"frequency": "weekly", "email": True}}

    saved = api.post("/api/saved_searches", body, content_type=JSON, headers=auth)

    assert saved.status_code == 201, saved.content
    alert = saved.json()["alert"]
    assert alert["frequency"] == "weekly" and alert["email"] and alert["feed"]
    assert alert["emailStatus"] == "asked"  # the address confirms first
    stored = Alert.objects.get(search__user=ada)
    assert alert["feedUrl"].endswith(f"/feeds/alerts/{stored.feed_secret}.atom")
    assert feed_answers(api, alert["feedUrl"])
    assert Subscription.objects.get(email="ada@example.org").confirmed_at is None
    listed = api.get("/api/saved_searches", headers=auth).json()
    assert listed[0]["alert"]["frequency"] == "weekly" and listed[0]["alert"]["emailStatus"] is None


def feed_answers(api: Client, url: str) -> bool:
    return api.get(url.replace("http://testserver", "")).status_code == 200


def test_an_alert_is_changed_and_stopped_by_its_owner_only(
    api: Client, make_user: Any, bearer: Bearer
) -> None:
    ada, eve = make_user("ada"), make_user("eve")
    saved = api.post("/api/saved_searches", {"query": "graph networks"}, content_type=JSON,
                     headers=bearer(ada)).json()  # fmt: skip
    assert saved["alert"] is None
    url = f"/api/saved_searches/{saved['id']}/alert"

    on = api.put(url, {"frequency": "daily"}, content_type=JSON, headers=bearer(ada))
    assert on.status_code == 200 and on.json()["feed"] and not on.json()["email"]
    assert_problem(api.put(url, {}, content_type=JSON, headers=bearer(eve)), 404)
    assert_problem(api.delete(url, headers=bearer(eve)), 404)
    nothing = {"email": False, "feed": False}
    assert_problem(api.put(url, nothing, content_type=JSON, headers=bearer(ada)), 400,
                   detail_has="a way to reach you")  # fmt: skip
    assert_problem(api.put(url, {"frequency": "hourly"}, content_type=JSON, headers=bearer(ada)),
                   422)  # fmt: skip
    assert api.delete(url, headers=bearer(ada)).status_code == 204
    assert not Alert.objects.exists()
    assert_problem(api.delete(url, headers=bearer(ada)), 404)
    assert_problem(api.put(url, {}, content_type=JSON), 401)


def test_a_refused_alert_saves_no_search(api: Client, make_user: Any, bearer: Bearer) -> None:
    auth = bearer(make_user("ada"))
    body = {"query": "graph networks", "alert": {"email": False, "feed": False}}
    assert_problem(api.post("/api/saved_searches", body, content_type=JSON, headers=auth), 400,
                   detail_has="a way to reach you")  # fmt: skip
    assert api.get("/api/saved_searches", headers=auth).json() == []
