"""Site-wide middleware for production: HEAD wherever GET answers, and a cap on request bodies
(413). See docs/web.md, "Security"."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from paperfeed.web.views.errors import too_large

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class HeadMiddleware:
    """HEAD answers wherever GET does, with GET's status and headers and no body.

    Django's function views already run for HEAD as for GET, but django-ninja's routes list
    only the methods they declare, so `HEAD /api/daily_papers` would be a 405. A HEAD that
    gets a 405 naming GET in its Allow header is run again as a GET. The body is dropped here
    rather than left to the server, so that every server (and the test client) behaves alike;
    Content-Length stays the GET's."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.status_code == 405 and "GET" in _allowed(response):
            request.method = "GET"
            try:
                response = self.get_response(request)
            finally:
                request.method = "HEAD"
        return _without_body(response)


def _allowed(response: HttpResponseBase) -> set[str]:
    return {m.strip().upper() for m in response.get("Allow", "").split(",")}


def _without_body(response: HttpResponseBase) -> HttpResponseBase:
    if response.streaming:
        # Never read; a file behind it is still closed with the response, by the server.
        response.streaming_content = []  # type: ignore[attr-defined]
        return response
    assert isinstance(response, HttpResponse)
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response.content = b""
    return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than the site takes (413), before
    anything reads it.

    A form or JSON body may hold DATA_UPLOAD_MAX_MEMORY_SIZE bytes (Django raises on more
    when the body is read, which the 400 handler also turns into a 413); a multipart body
    (a file upload: the BibTeX import) may hold MAX_UPLOAD_BYTES in all, files included,
    which Django would otherwise take without limit, spooling them to disk."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            return too_large(request, limit=limit)
        return self.get_response(request)
