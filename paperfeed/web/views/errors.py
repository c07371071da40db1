"""Answers for requests the site refuses as too large (413); too many (429) is web/limits.py's."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults


def too_large(request: HttpRequest, *, limit: int) -> HttpResponse:
    """413, as a plain page: it is answered before sessions and users are read."""
    html = render_to_string("413.html", {"limit": _size(limit)})
    return HttpResponse(html, status=413)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, found when it is read, is a 413
    like the one RequestSizeLimitMiddleware answers from its Content-Length."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.1f} MB"
    return f"{math.ceil(limit / 1024)} kB"
