"""anonymous_cache: one answer per URL shared by anonymous visitors, never anything personal.

Through the pages and the API: tests/web/test_daily.py and tests/api/test_read.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from paperfeed.accounts.http import anonymous_cache

pytestmark = pytest.mark.django_db


class Counter:
    """A view that says how often it ran; `answer` shapes each response."""

    def __init__(self, answer: Callable[[HttpResponse], None] = lambda r: None) -> None:
        self.calls = 0
        self.answer = answer

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.calls += 1
        response = HttpResponse(f"rendering {self.calls}", content_type="text/plain")
        response["X-Rendering"] = str(self.calls)
        self.answer(response)
        return response


def get(path: str = "/list", *, user: User | None = None, method: str = "get", **extra: Any) -> Any:
    request = getattr(RequestFactory(), method)(path, **extra)
    request.user = user or AnonymousUser()
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return request


def test_anonymous_visitors_share_one_answer_per_url_with_its_headers() -> None:
    view = Counter()
    cached = anonymous_cache("test", 5)(view)
    first, again = cached(get()), cached(get(method="head"))
    assert again.content == b"rendering 1" and again["X-Rendering"] == "1"
    assert again["Content-Type"] == "text/plain"
    assert first.content == again.content and view.calls == 1
    assert cached(get("/list?page=2")).content == b"rendering 2"
    assert cached(get(HTTP_HOST="localhost")).content == b"rendering 3"
    assert anonymous_cache("other", 5)(view)(get()).content == b"rendering 4"


def test_logged_in_people_and_pending_messages_bypass_it(user: User) -> None:
    view = Counter()
    cached = anonymous_cache("test", 5)(view)
    cached(get())
    assert cached(get(user=user)).content == b"rendering 2"
    with_message = get()
    with_message._messages.add(20, "Saved.")
    assert cached(with_message).content == b"rendering 3"
    assert cached(get(method="post")).content == b"rendering 4"
    assert cached(get()).content == b"rendering 1"  # what anyone gets is still shared


@pytest.mark.parametrize(
    "answer",
    [
        lambda r: setattr(r, "status_code", 404),
        lambda r: r.set_cookie("seen", "1"),
        lambda r: r.__setitem__("Vary", "Cookie"),
    ],
    ids=["not a 200", "sets a cookie", "varies"],
)
def test_an_answer_that_may_differ_between_visitors_is_not_shared(
    answer: Callable[[HttpResponse], None],
) -> None:
    view = Counter(answer)
    cached = anonymous_cache("test", 5)(view)
    cached(get())
    cached(get())
    assert view.calls == 2


def test_a_rendering_that_used_a_csrf_token_is_not_shared() -> None:
    view = Counter()
    cached = anonymous_cache("test", 5)(view)
    request = get()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    cached(request)
    cached(get())
    assert view.calls == 2


def test_zero_seconds_turns_it_off() -> None:
    view = Counter()
    cached = anonymous_cache("test", 0)(view)
    cached(get())
    cached(get())
    assert view.calls == 2
