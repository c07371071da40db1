"""What the routers share: error declarations for the schema, list parameters, paging links,
and a short shared cache for anonymous lists."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse

from paperfeed.api.schemas import Problem
from paperfeed.papers.models import Paper
from paperfeed.papers.selectors import paper_get

MAX_LIMIT = 100  # items per page; a larger `limit` is read as this
MAX_PAGE = 10_000  # `p` beyond this is refused (422) rather than sent to the database

LIMIT_DOC = f"Items per page (at most {MAX_LIMIT}; a larger value is read as {MAX_LIMIT})."
PAGE_DOC = (
    'Page number, from 0. A `Link: <...>; rel="next"` header points to the next page when '
    "there is one."
)


# What a write endpoint can answer besides success.
WRITE_ERRORS = (400, 401, 403, 404, 422, 429)


def errors(*codes: int) -> dict[int, type[Problem]]:
    """Response declarations for the error statuses an endpoint can answer."""
    return dict.fromkeys(codes, Problem)


def capped(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def paper_or_404(arxiv_id: str) -> Paper:
    paper = paper_get(arxiv_id=arxiv_id)
    if paper is None:
        shown = arxiv_id if len(arxiv_id) <= 80 else arxiv_id[:77] + "..."
        raise Http404(
            f"arXiv:{shown} is not in this catalog; submit it with POST /api/papers/index "
            "to fetch it from arXiv."
        )
    return paper


def link_next(request: HttpRequest, response: HttpResponse, *, page: int) -> None:
    """Point to the next page (`p=page + 1`, other parameters kept) with an RFC 8288 Link."""
    query = request.GET.copy()
    query["p"] = str(page + 1)
    url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    response["Link"] = f'<{url}>; rel="next"'


View = Callable[..., HttpResponse]


def anonymous_cache(view: View) -> View:
    """Serve one answer per URL to every request for API_CACHE_SECONDS (per server process,
    in Django's default cache), as the website does for its lists: the daily and trending lists
    are the same for everyone, and a vote shows up a few seconds later."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.API_CACHE_SECONDS
        if not seconds or request.method != "GET":
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"api-list:{request.get_host()}:{digest}"
        if (hit := cache.get(key)) is not None:
            content, headers = hit[0], dict(hit[1])
            response = HttpResponse(content, content_type=headers.pop("Content-Type"))
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies:
            kept = dict(response.items())  # every header: Link, X-Trending-As-Of, ...
            cache.set(key, (response.content, kept), seconds)
        return response

    return wrapper
