"""Rate limits on the website's actions: sign-ups per address, comments per user (shared with
the API's comment endpoint). Subscribing: tests/digests/test_subscribe_limits.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.tokens import api_token_create
from paperfeed.community.models import Comment
from tests.web.conftest import NOW, PASSWORD, World

pytestmark = pytest.mark.django_db


def signup(client: Client, name: str, **extra: Any) -> Any:
    data = {"username": name, "email": f"{name}@example.org",
            "password1": PASSWORD, "password2": PASSWORD}  # fmt: skip
    return client.post("/accounts/signup/", data, **extra)


def assert_refused(page: Any, what: str) -> None:
    assert page.status_code == 429
    assert 0 < int(page["Retry-After"]) <= 3600
    html = page.content.decode()
    assert "Too many requests" in html and what in html and "try again in" in html


def test_sign_ups_are_limited_per_address(settings: Any) -> None:
    settings.SIGNUP_RATE = 2
    with time_machine.travel(NOW, tick=False) as clock:
        assert signup(Client(), "ada").status_code == 302
        assert signup(Client(), "ada").status_code == 200  # a mistake counts as an attempt
        refused = signup(Client(), "grace")
        assert_refused(refused, "sign-ups from your address")
        assert refused["Retry-After"] == "3600"  # the clock stands at a whole hour
        assert "try again in 60 minutes" in refused.content.decode()
        assert not User.objects.filter(username="grace").exists()
        # Another address may; the page itself is still shown.
        assert signup(Client(), "grace", REMOTE_ADDR="192.0.2.7").status_code == 302
        assert Client().get("/accounts/signup/").status_code == 200
        clock.shift(timedelta(hours=1))
        assert signup(Client(), "alan").status_code == 302


def test_comments_are_limited_per_user_on_the_site_and_the_api_together(
    member: Client, user: User, world: World, settings: Any, clock: None
) -> None:
    settings.COMMENT_RATE = 3
    for n in range(2):
        assert member.post("/papers/2603.00001/comments", {"body": f"n{n}"}).status_code == 302
    token = api_token_create(user=user, name="t").secret
    auth = {"Authorization": f"Bearer {token}"}
    url = "/api/papers/2603.00001/comments"
    api = Client()
    assert api.post(url, {"body": "third"}, content_type="application/json",
                    headers=auth).status_code == 201  # fmt: skip
    refused = member.post("/papers/2603.00001/comments", {"body": "fourth"})
    assert_refused(refused, "comments from you")
    assert refused["Retry-After"] == "60"  # the clock stands at a whole minute
    answer = api.post(url, {"body": "fifth"}, content_type="application/json", headers=auth)
    assert answer.status_code == 429 and "Retry-After" in answer
    assert Comment.objects.count() == 3
