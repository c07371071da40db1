"""Login rate limiting (django-axes): five failures for a username from one address lock that
pair out for the cool-off period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.middleware import AxesMiddleware
from django.contrib.auth import authenticate, login
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from paperfeed.accounts.backends import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
START = datetime(2026, 3, 14, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ada(db: None) -> User:
    return User.objects.create_user("ada", password=PASSWORD)


def attempt(password: str, *, ip: str = "203.0.113.7", username: str = "ada") -> User | None:
    """What Django's login view does: authenticate with the request, then log the user in."""
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    user = authenticate(request=request, username=username, password=password)
    if user is not None:
        request.session = SessionStore()
        login(request, user)
    return user


def test_the_sixth_attempt_after_five_bad_passwords_is_refused(ada: User) -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            assert attempt("wrong") is None
        assert attempt(PASSWORD) is None  # locked out: even the right password fails


def test_the_lockout_ends_after_the_cool_off(ada: User) -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt("wrong")
    with time_machine.travel(START + timedelta(minutes=16), tick=False):
        assert attempt(PASSWORD) == ada


def test_attempts_during_the_lockout_restart_the_cool_off(ada: User) -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            attempt("wrong")
    with time_machine.travel(START + timedelta(minutes=14), tick=False):
        assert attempt(PASSWORD) is None
    with time_machine.travel(START + timedelta(minutes=16), tick=False):
        assert attempt(PASSWORD) is None
    with time_machine.travel(START + timedelta(minutes=32), tick=False):  # 16 + 15 minutes
        assert attempt(PASSWORD) == ada


def test_the_lockout_is_per_username_and_address(ada: User) -> None:
    User.objects.create_user("grace", password=PASSWORD)
    for _ in range(5):
        attempt("wrong")
    assert attempt(PASSWORD, ip="198.51.100.1") == ada  # ada from elsewhere
    assert attempt(PASSWORD, username="grace") is not None  # someone else from here


def test_fewer_failures_than_the_limit_do_not_lock_and_success_resets(ada: User) -> None:
    for _ in range(4):
        attempt("wrong")
    assert attempt(PASSWORD) == ada
    for _ in range(4):
        attempt("wrong")
    assert attempt(PASSWORD) == ada


def test_the_limit_is_a_setting(ada: User, settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        attempt("wrong")
    assert attempt(PASSWORD) is None


def test_a_locked_out_login_gets_a_429_response(ada: User) -> None:
    for _ in range(5):
        attempt("wrong")

    def login_view(request: HttpRequest) -> HttpResponse:
        user = authenticate(request=request, username="ada", password=PASSWORD)
        return HttpResponse("welcome" if user else "try again")

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.7")
    response = AxesMiddleware(login_view)(request)
    assert response.status_code == 429
    assert b"welcome" not in response.content


def test_test_client_logins_still_work(ada: User) -> None:
    for _ in range(5):
        attempt("wrong", ip="127.0.0.1")
    client = Client()
    assert client.login(username="ada", password=PASSWORD)  # no request: not limited
    assert not client.login(username="ada", password="wrong")
    client.force_login(ada)
    assert client.session["_auth_user_id"] == str(ada.pk)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.9", "10.0.0.1"),  # no proxy: a forged header is ignored
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "6.6.6.6, 198.51.100.9", "198.51.100.9"),  # the client prepended a fake address
        (2, "198.51.100.9, 10.0.0.2", "198.51.100.9"),
        (2, "", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(
    settings: Settings, proxies: int, forwarded: str, expected: str
) -> None:
    settings.PAPERFEED_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
