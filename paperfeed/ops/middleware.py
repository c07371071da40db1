"""Request latency by view, for /metrics."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from paperfeed.lib.metrics import REQUEST_SECONDS

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetricsMiddleware:
    """Times each request from the top of the middleware stack (so static files, redirects and
    every other middleware count too), labelled by the URL's name rather than its path: paths
    hold ids, and a label per paper would grow without bound."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            view=view_label(request),
            method=request.method if request.method in METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


def view_label(request: HttpRequest) -> str:
    """The resolved URL's name with its namespace (`paper`, `api:search`); for an unnamed route,
    the view's dotted path; `static` for static files, `unmatched` for paths no route took."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return str(match.view_name)
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"
