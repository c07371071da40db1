"""The JSON API, mounted at /api/: Hugging Face's papers API shape, plus paperfeed's own
endpoints. Every error is RFC 9457 problem details (problems.py). OpenAPI at
/api/openapi.json, interactive docs at /api/docs. See docs/api.md."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from paperfeed.api import accounts, alerts, community, papers, recommend, search
from paperfeed.api import collections as collection_api
from paperfeed.api.contract import QueryParser, schema_contract
from paperfeed.api.problems import problem, validation_errors

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Papers, daily lists, trending, search and community actions of this paperfeed.

Read endpoints answer in the shape of Hugging Face's papers API (`/api/daily_papers`,
`/api/papers/{id}`, `/api/papers/search`), so `huggingface_hub.HfApi(endpoint=...)` and scripts
written for it work unchanged. Write endpoints need your session (and the `X-CSRFToken` header)
or a personal API token from your profile page: `Authorization: Bearer pf_...`. Errors are
RFC 9457 `application/problem+json`. Writes and search are rate-limited per token or user and
per address; a refused request gets 429 and `Retry-After`.
"""


class PaperfeedAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(parser=QueryParser(), **kwargs)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The schema with what holds for every endpoint (contract.py): problem+json errors,
        414, Retry-After, empty query values read as absent."""
        return schema_contract(super().get_openapi_schema(*args, **kwargs))


api = PaperfeedAPI(
    title="paperfeed API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI from ninja's own static files ("ninja" is an installed app), no CDN, and no
    # badge image from validator.swagger.io: the Content-Security-Policy allows neither.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
)

# Routers with fixed paths under /papers/ first: /papers/{path:arxiv_id} takes any path, since
# old-style ids hold a slash (hep-th/9901001).
api.add_router("", search.router)
api.add_router("", community.router)
api.add_router("", accounts.router)
api.add_router("", alerts.router)
api.add_router("", recommend.router)
api.add_router("", collection_api.router)
api.add_router("", papers.router)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail, items = validation_errors(exc.errors)
    return problem(request, 422, detail, errors=items)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, Throttled):
        wait = f" Try again in {max(1, round(exc.wait))} seconds." if exc.wait else ""
        return problem(request, 429, f"Too many requests.{wait}")
    if isinstance(exc, AuthenticationError) and str(exc) == "Unauthorized":
        return problem(request, 401)
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = "The request body is not valid JSON; send a JSON object."
    return problem(request, exc.status_code, message)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, str(exc) or None)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, str(exc) or None)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unreachable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database is restarting or out of reach: a 503 the client may retry, not a 500 (the
    next request reconnects by itself)."""
    logger.warning("API %s %s: database unreachable: %s", request.method, request.path, exc)
    detail = "The database is unreachable just now; try again in a few seconds."
    return problem(request, 503, detail, headers={"Retry-After": "5", "Cache-Control": "no-store"})


@api.exception_handler(Exception)
def on_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return problem(request, 500)
