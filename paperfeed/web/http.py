"""Small helpers the views share: htmx detection, safe redirects back, login for actions, and a
short-lived cache of the pages anonymous visitors see."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

View = Callable[..., HttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def back_url(request: HttpRequest, default: str) -> str:
    """Where a form POST should return: its `next` field, else the page it came from, when
    either is on this site; otherwise `default`."""
    for candidate in (
        request.POST.get("next"),
        request.GET.get("next"),
        request.headers.get("Referer"),
    ):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(candidate)  # a Referer is absolute: keep its path and query
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return default


def login_url(next_url: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"


def login_required_action(view: View) -> View:
    """For POST actions: anonymous people go to the login page and come back to the page they
    were on; an htmx request gets a 403 that tells htmx to go there."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        target = login_url(back_url(request, request.path))
        if is_htmx(request):
            response = HttpResponse("Log in to do that.", status=403)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

    return wrapper


def anonymous_page_cache(seconds: int) -> Callable[[View], View]:
    """Serve one rendering of the page to every anonymous visitor for `seconds` (per server
    process, in Django's default cache).

    For the pages everyone asks for and that take tens of milliseconds to render (the daily and
    trending lists): a vote shows up for visitors who are not logged in a few seconds later. A
    page is shared only when it says nothing about the person reading it, so the cache is
    bypassed for logged-in people, for anyone with a message waiting to be shown, and for a
    rendering that set a cookie or used a CSRF token."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if (
                request.method not in ("GET", "HEAD")
                or request.user.is_authenticated
                or len(get_messages(request))  # counts them without marking them shown
            ):
                return view(request, *args, **kwargs)
            path = request.get_full_path().encode()
            key = "anonymous-page:" + hashlib.sha256(path).hexdigest()
            if (hit := cache.get(key)) is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            shareable = (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            )
            if shareable:
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            return response

        return wrapper

    return decorator
