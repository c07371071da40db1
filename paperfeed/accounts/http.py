"""What views need to know about who is asking: the type of a request that comes with a
logged-in user, and a short shared cache of the answers anonymous visitors get.

The cache is here, below the website and the API, because both use it and because whether an
answer may be shared depends on who asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view that requires a login (`login_required`, the website's
    `login_required_action`): its `user` is a User, never AnonymousUser. For type checking
    only; Django builds the requests. (API routes find their caller in `request.auth`.)"""

    user: User


def anonymous_cache(prefix: str, seconds: int) -> Callable[[View], View]:
    """Serve one answer per URL to every anonymous visitor for `seconds` (0: off), per server
    process, in Django's default cache under `anonymous:<prefix>:...`.

    For the lists everyone asks for, which take tens of milliseconds to build (the daily and
    trending pages and their API answers): a vote shows up for visitors who are not logged in a
    few seconds later. An answer is shared only when it says nothing about who asked: see
    `_from_anyone` and `_shareable`. A shared answer keeps the headers the view set (Link,
    X-Trending-As-Of, ...); the middleware adds the rest to every response alike."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not seconds or not _from_anyone(request):
                return view(request, *args, **kwargs)
            key = _key(prefix, request.get_host(), request.get_full_path())
            if (hit := cache.get(key)) is not None:
                content, headers = hit
                return HttpResponse(content, headers=headers)
            response = view(request, *args, **kwargs)
            if _shareable(request, response):
                cache.set(key, (response.content, dict(response.items())), seconds)
            return response

        return wrapper

    return decorator


def anonymous_cache_forget(request: HttpRequest, prefix: str, path: str) -> None:
    """Drop this process's shared answer for `path` (without a query string) on this host, after
    `request` changed what it shows: the one who acted, and anyone this process serves, see the
    change at once; other processes within their `seconds`."""
    cache.delete(_key(prefix, request.get_host(), path))


def _key(prefix: str, host: str, full_path: str) -> str:
    url = hashlib.sha256(full_path.encode()).hexdigest()
    return f"anonymous:{prefix}:{host}:{url}"


def _from_anyone(request: HttpRequest) -> bool:
    """A request any visitor could have made: a GET or HEAD from someone not logged in, with
    no message waiting to be shown to them."""
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not len(get_messages(request))  # counts them without marking them shown
    )


def _shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """An answer that would be the same for anyone: a whole 200 that sets no cookie, used no
    CSRF token (whose cookie the middleware would set) and does not say that it varies with
    the request's headers."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Vary")
    )
