"""RFC 9457 problem details: every error the API answers is `application/problem+json`.

A problem carries `type`, `title`, `status`, `detail` and `instance`, plus two extension members:
`error` (the detail again, which Hugging Face's client prints when a request fails) and, for
invalid input, `errors` (one entry per bad parameter or field).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

CONTENT_TYPE = "application/problem+json"

# What a bare status means for this API, for errors raised without a message of their own.
DEFAULT_DETAILS = {
    400: "The request cannot be read.",
    401: (
        "Authentication required: log in on the site (session cookie and X-CSRFToken header) "
        "or send a personal API token as 'Authorization: Bearer <token>'."
    ),
    403: "You are not allowed to do that.",
    404: "There is nothing at this address; see /api/docs for the endpoints.",
    405: "This endpoint does not accept that HTTP method; see /api/docs.",
    409: "That conflicts with what is already stored.",
    422: "Some parameters or fields are invalid; see 'errors'.",
    429: "Too many requests; wait before trying again (see the Retry-After header).",
    500: "Something went wrong on our side; the error has been logged.",
}


def problem(
    request: HttpRequest | None,
    status: int,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    """A problem+json response; `extra` adds extension members (e.g. `errors`)."""
    detail = detail or DEFAULT_DETAILS.get(status) or HTTPStatus(status).phrase
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path if request is not None else None,
        "error": detail,
        **extra,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_errors(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Ninja's (pydantic's) errors as a readable detail and a list of {location, field,
    message}."""
    items = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        where = loc[0] if loc else "request"
        # Ninja puts the parameter or body field after its location; 'body' holds the payload
        # name first ("payload"), which means nothing to a client.
        names = loc[1:]
        if where == "body" and len(names) > 1:
            names = names[1:]
        field = ".".join(names) or where
        message = str(error.get("msg", "is invalid"))
        items.append({"location": where, "field": field, "message": f"{field}: {message}"})
    detail = "; ".join(item["message"] for item in items) or DEFAULT_DETAILS[422]
    return detail, items
