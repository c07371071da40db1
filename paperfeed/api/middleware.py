"""Problem details for the errors that never reach the API's own handlers under /api/: an
unknown path (Django's 404), a method an endpoint does not take (405), a server error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from paperfeed.api.problems import CONTENT_TYPE, problem

PREFIX = "/api/"


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(PREFIX)
            and not response.get("Content-Type", "").startswith(CONTENT_TYPE)
        ):
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else None
            return problem(request, response.status_code, headers=headers)
        return response
