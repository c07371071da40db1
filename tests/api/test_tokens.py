"""Personal API tokens: created on the profile page and shown once, stored as a digest,
revoked there; a revoked token is refused and a token only ever acts as its owner."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.models import ApiToken
from paperfeed.accounts.tokens import MAX_TOKENS, api_token_create, api_token_revoke, api_tokens
from paperfeed.community.models import Vote
from tests.api.conftest import World, assert_problem

Bearer = Callable[[User], dict[str, str]]
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def test_a_token_is_shown_once_and_stored_as_a_digest(world: World, user: User) -> None:
    browser = Client()
    browser.force_login(user, backend=MODEL_BACKEND)
    page = browser.post("/accounts/tokens/new", {"name": "my notebook"})
    assert page.status_code == 200
    html = page.content.decode()
    secret = re.search(r'<code class="token" id="new-token">(pf_[\w-]+)</code>', html).group(1)
    assert "it will not be shown again" in html
    stored = ApiToken.objects.get(user=user)
    assert (
        stored.name == "my notebook"
        and stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    )
    assert secret not in stored.prefix and secret.startswith(stored.prefix)
    later = browser.get("/accounts/profile/").content.decode()
    assert secret not in later and stored.prefix in later and "my notebook" in later
    # It works, and last_used_at is recorded.
    client = Client()
    response = client.get("/api/library", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_a_token_needs_a_name_and_a_login(world: World, user: User) -> None:
    browser = Client()
    browser.force_login(user, backend=MODEL_BACKEND)
    page = browser.post("/accounts/tokens/new", {"name": "  "})
    assert "Give the token a name" in page.content.decode()
    assert not ApiToken.objects.exists()
    anonymous = Client().post("/accounts/tokens/new", {"name": "x"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client().get("/accounts/tokens/new").status_code in (302, 405)


def test_at_most_a_number_of_live_tokens(world: World, user: User) -> None:
    for n in range(MAX_TOKENS):
        api_token_create(user=user, name=f"t{n}")
    browser = Client()
    browser.force_login(user, backend=MODEL_BACKEND)
    page = browser.post("/accounts/tokens/new", {"name": "one more"})
    assert "revoke one first" in page.content.decode()


def test_a_revoked_token_is_refused(api: Client, world: World, user: User) -> None:
    created = api_token_create(user=user, name="ci")
    auth = {"Authorization": f"Bearer {created.secret}"}
    assert api.post("/api/papers/2603.00001/upvote", headers=auth).status_code == 200
    browser = Client()
    browser.force_login(user, backend=MODEL_BACKEND)
    revoked = browser.post(f"/accounts/tokens/{created.token.pk}/revoke")
    assert revoked.status_code == 302
    assert not api_tokens(user=user).exists()
    response = api.delete("/api/papers/2603.00001/upvote", headers=auth)
    assert_problem(response, 401, detail_has="unknown or has been revoked")
    assert Vote.objects.filter(user=user).count() == 1  # the refused request changed nothing
    # Even with a valid session beside it, a bad token is refused rather than ignored.
    assert_problem(browser.get("/api/library", headers=auth), 401)


def test_a_token_cannot_act_as_another_user(
    api: Client, world: World, user: User, make_user: Any, bearer: Bearer
) -> None:
    eve = make_user("eve")
    eve_auth = bearer(eve)
    # Eve's token, sent beside Ada's session, acts as Eve.
    browser = Client()
    browser.force_login(user, backend=MODEL_BACKEND)
    browser.post("/api/papers/2603.00002/upvote", headers=eve_auth)
    assert list(Vote.objects.values_list("user__username", flat=True)) == ["eve"]
    # Eve cannot revoke Ada's token, nor see Ada's library.
    ada_token = api_token_create(user=user, name="ada's")
    eve_browser = Client()
    eve_browser.force_login(eve, backend=MODEL_BACKEND)
    assert eve_browser.post(f"/accounts/tokens/{ada_token.token.pk}/revoke").status_code == 403
    ada_token.token.refresh_from_db()
    assert ada_token.token.revoked_at is None
    api.put("/api/library/2603.00001", headers={"Authorization": f"Bearer {ada_token.secret}"})
    assert api.get("/api/library", headers=eve_auth).json() == []
    assert eve_browser.post("/accounts/tokens/999999/revoke").status_code == 404


def test_tokens_of_inactive_users_and_forged_tokens_are_refused(
    api: Client, world: World, user: User
) -> None:
    created = api_token_create(user=user, name="x")
    User.objects.filter(pk=user.pk).update(is_active=False)
    auth = {"Authorization": f"Bearer {created.secret}"}
    assert_problem(api.get("/api/library", headers=auth), 401)
    for forged in ("pf_" + "A" * 43, created.secret[:-1], "hf_abc", "x" * 1000):
        assert_problem(api.get("/api/library", headers={"Authorization": f"Bearer {forged}"}), 401)
    assert_problem(api.get("/api/library", headers={"Authorization": "Basic abc"}), 401)


def test_read_endpoints_ignore_tokens_they_do_not_know(api: Client, world: World) -> None:
    """Hugging Face's client sends a saved Hugging Face token with every request."""
    response = api.get("/api/daily_papers", headers={"Authorization": "Bearer hf_xyz"})
    assert response.status_code == 200 and response.json()


def test_revoking_twice_and_someone_elses_token(world: World, user: User, make_user: Any) -> None:
    created = api_token_create(user=user, name="x")
    api_token_revoke(user=user, token_id=created.token.pk)
    api_token_revoke(user=user, token_id=created.token.pk)  # no error
    assert ApiToken.objects.get().revoked_at is not None
