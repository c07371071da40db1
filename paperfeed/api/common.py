"""What the routers share: error declarations for the schema, list parameters, paging links
and what to say about a paper the catalog lacks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from paperfeed.api.schemas import Problem

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


def not_in_catalog_detail(arxiv_id: str) -> str:
    """The 404 detail for a paper the catalog lacks (paper_get_or_404's `message`): how to add
    it through the API. A long id is cut: the detail is sent twice (`detail` and `error`)."""
    shown = arxiv_id if len(arxiv_id) <= 80 else arxiv_id[:77] + "..."
    return (
        f"arXiv:{shown} is not in this catalog; submit it with POST /api/papers/index "
        "to fetch it from arXiv."
    )


def link_next(request: HttpRequest, response: HttpResponse, *, page: int) -> None:
    """Point to the next page (`p=page + 1`, other parameters kept) with an RFC 8288 Link."""
    query = request.GET.copy()
    query["p"] = str(page + 1)
    url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    response["Link"] = f'<{url}>; rel="next"'
