"""The website's rate limits on what costs others something: new accounts, comments, and
subscription requests (each mails an address someone typed). Counted in the database by
paperfeed.accounts.ratelimit, so every server process shares them; a refused request gets the
429 page with Retry-After. Settings: SIGNUP_RATE, COMMENT_RATE, SUBSCRIBE_RATE. (The limit per
recipient address, SUBSCRIBE_RECIPIENT_RATE, is the digests service's: it counts the emails
it sends.)"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperfeed.accounts.backends import client_ip
from paperfeed.accounts.ratelimit import rate_limit

MINUTE, HOUR = 60, 3600


def signup_refused(request: HttpRequest) -> HttpResponse | None:
    """Count a sign-up attempt from the client's address; the 429 page once over the limit."""
    wait = rate_limit(key=f"signup:{_address(request)}", limit=settings.SIGNUP_RATE, window=HOUR)
    if wait is None:
        return None
    return too_many_requests(request, wait=wait, what="sign-ups from your address")


def comment_refused(request: HttpRequest) -> HttpResponse | None:
    """Count a comment by the logged-in user. The key is the one the API's comment endpoint
    counts under (api/throttling.py, comment_throttles), so both count together."""
    key = f"comment:user:{request.user.pk}"
    wait = rate_limit(key=key, limit=settings.COMMENT_RATE, window=MINUTE)
    if wait is None:
        return None
    return too_many_requests(request, wait=wait, what="comments from you")


def subscribe_refused(request: HttpRequest) -> HttpResponse | None:
    """Count a subscription request from the client's address."""
    key = f"subscribe:{_address(request)}"
    wait = rate_limit(key=key, limit=settings.SUBSCRIBE_RATE, window=HOUR)
    if wait is None:
        return None
    return too_many_requests(request, wait=wait, what="subscription requests from your address")


def _address(request: HttpRequest) -> str:
    return f"address:{client_ip(request) or 'unknown'}"


def too_many_requests(request: HttpRequest, *, wait: float, what: str) -> HttpResponse:
    """429 with Retry-After: `what` (e.g. "sign-ups from your address") has reached its limit
    for now."""
    seconds = max(1, math.ceil(wait))
    context = {"what": what, "wait": _duration(seconds), "nav": None}
    response = render(request, "web/rate_limited.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"
