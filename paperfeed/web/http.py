"""Small helpers the views share: htmx detection, safe redirects back and login for actions.
(The short-lived cache of the pages anonymous visitors see is accounts.http.anonymous_cache,
shared with the API.)"""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from paperfeed.accounts.http import View


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
