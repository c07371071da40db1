"""Sign up, log in (and its rate limit), log out, password reset and the profile page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from paperfeed.accounts.services import library_set, saved_search_save
from paperfeed.community.services import paper_submit, vote_set
from tests.web.conftest import PASSWORD, World, make_paper

pytestmark = pytest.mark.django_db


def signup(client: Client, **fields: str) -> Any:
    data = {"username": "grace", "email": "grace@example.org",
            "password1": PASSWORD, "password2": PASSWORD} | fields  # fmt: skip
    return client.post("/accounts/signup/", data)


def test_signing_up_creates_the_account_and_logs_in(client: Client, clock: None) -> None:
    assert "Create an account" in client.get("/accounts/signup/").content.decode()
    page = signup(client, next="/trending")
    assert page.status_code == 302 and page["Location"] == "/trending"
    user = User.objects.get(username="grace")
    assert user.email == "grace@example.org"
    html = client.get("/").content.decode()
    assert "Welcome, grace!" in html and ">Log out</button>" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"password2": "something else"}, "The two password fields didn"),
        ({"password1": "123", "password2": "123"}, "This password is too short."),
        ({"next": "https://evil.example/"}, None),
    ],
)
def test_signup_mistakes_are_shown_on_the_form(
    client: Client, clock: None, fields: dict[str, str], message: str | None
) -> None:
    page = signup(client, **fields)
    if message is None:  # accepted, but never sent off the site: on to picking interests
        assert page["Location"] == "/for-you/setup"
        return
    assert page.status_code == 200 and message in page.content.decode()
    assert not User.objects.exists()


def test_an_email_can_have_one_account(client: Client, user: User) -> None:
    page = signup(client, email="ADA@example.org")
    assert "An account with this email exists" in page.content.decode()


def test_logging_in_and_out(client: Client, user: User) -> None:
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    page = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD,
                                            "next": "/trending"})  # fmt: skip
    assert page.status_code == 302 and page["Location"] == "/trending"
    assert "ada" in client.get("/accounts/profile/").content.decode()
    assert client.get("/accounts/logout/").status_code == 405  # log out is a POST
    out = client.post("/accounts/logout/")
    assert out.status_code == 302 and out["Location"] == "/"
    assert client.get("/accounts/profile/").status_code == 302


def test_a_wrong_password_says_so(client: Client, user: User) -> None:
    page = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert page.status_code == 200
    assert "Please enter a correct username and password" in page.content.decode()


def test_repeated_failures_lock_logins_with_a_clear_message(
    client: Client, user: User, settings: Any
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    page = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    html = page.content.decode()
    assert page.status_code == 429
    assert "Too many failed log-in attempts." in html
    assert f"for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html
    assert "reset your password" in html
    assert client.get("/accounts/profile/").status_code == 302  # still logged out


def test_password_reset_by_email(client: Client, user: User) -> None:
    assert "Reset your password" in client.get("/accounts/password_reset/").content.decode()
    page = client.post("/accounts/password_reset/", {"email": "ada@example.org"})
    assert page.status_code == 302 and page["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"] and "Reset your password" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)
    assert link, message.body
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "a brand new passphrase 42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/accounts/reset/done/"
    assert client.login(username="ada", password=new)


def test_a_used_reset_link_says_it_expired(client: Client, user: User) -> None:
    page = client.get("/accounts/reset/MQ/bad-token/", follow=True)
    assert "This link has expired" in page.content.decode()


def test_the_profile_lists_library_upvotes_submissions_and_searches(
    member: Client, user: User, world: World
) -> None:
    library_set(user=user, paper=world.papers["2603.00003"], on=True)
    vote_set(user=user, paper=world.papers["2603.00002"], on=True)
    make_paper("2603.00010", published=world.papers["2603.00001"].published.date(),
               title="My own find")  # fmt: skip
    paper_submit(user=user, text="2603.00010")
    saved_search_save(user=user, query="cat:cs.LG diffusion", name="Diffusion")
    html = member.get("/accounts/profile/").content.decode()
    for expected in ("A survey of state space models", "Graph networks for weather",
                     "My own find", "Diffusion", "/search?q=cat%3Acs.LG%20diffusion"):  # fmt: skip
        assert expected in html, expected


def test_an_empty_profile_says_what_to_do(member: Client, clock: None) -> None:
    html = member.get("/accounts/profile/").content.decode()
    assert "Nothing saved yet." in html and "No saved searches." in html


def test_the_profile_needs_a_login(client: Client) -> None:
    page = client.get("/accounts/profile/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
