"""Search and similar papers: GET /api/papers/search (Hugging Face's `list_papers(query=...)`
plus paperfeed's modes, filters and pages) and GET /api/papers/{arxiv_id}/similar."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from paperfeed.api.common import (
    LIMIT_DOC,
    MAX_PAGE,
    PAGE_DOC,
    capped,
    errors,
    link_next,
    not_in_catalog_detail,
)
from paperfeed.api.constraints import IsoDate
from paperfeed.api.papers import ArxivId
from paperfeed.api.schemas import DailyPaper
from paperfeed.api.shapes import hit_payloads
from paperfeed.api.throttling import search_throttles
from paperfeed.papers.selectors import paper_get_or_404
from paperfeed.search.selectors import papers_search, papers_similar

router = Router(tags=["search"])
After = Annotated[
    IsoDate | None,
    Query(description="Only papers published on or after this day (YYYY-MM-DD)."),
]
Before = Annotated[
    IsoDate | None,
    Query(description="Only papers published on or before this day (YYYY-MM-DD)."),
]


@router.get(
    "/papers/search",
    response={200: list[DailyPaper], **errors(422, 429)},
    throttle=search_throttles(),
    summary="Search papers",
    operation_id="papers_search",
)
def search(
    request: HttpRequest,
    response: HttpResponse,
    q: Annotated[
        str,
        Query(
            max_length=2000,
            description='The query: words, "quoted phrases", -exclusions, author:Name, cat:cs.LG, '
            "has:code, after:2024-01-01, before:2025-01-01, or an arXiv id (that paper comes "
            "first).",
        ),
    ] = "",
    limit: Annotated[int, Query(ge=1, description=LIMIT_DOC)] = 20,
    p: Annotated[int, Query(ge=0, le=MAX_PAGE, description=PAGE_DOC)] = 0,
    mode: Annotated[
        Literal["hybrid", "keyword", "semantic"],
        Query(
            description="hybrid (words and meaning), keyword (words only) or semantic (meaning)."
        ),
    ] = "hybrid",
    category: Annotated[
        str, Query(max_length=40, description="Only papers in this arXiv category.")
    ] = "",
    author: Annotated[str, Query(max_length=300, description="Only papers by this author.")] = "",
    after: After = None,
    before: Before = None,
    code: Annotated[
        bool,
        Query(
            description="Only papers that name their own code repository (as has:code in the "
            "query)."
        ),
    ] = False,
) -> list[dict[str, Any]]:
    """Papers matching the query, best first. Without a query, a filter alone lists the newest
    matching papers. At most 1,000 results are reachable through pages. The `X-Search-Semantic`
    header says whether meaning-based search covered the catalog (full, partial, unavailable)."""
    results = papers_search(
        q=q, mode=mode, page=p + 1, per_page=capped(limit),
        categories=[category] if category else [], authors=[author] if author else [],
        after=after, before=before, code=code,
    )  # fmt: skip
    if results.has_next:
        link_next(request, response, page=p)
    # Whether meaning-based search covered the catalog: full, partial (vectors still being
    # computed) or unavailable (keyword results only, or none in semantic mode).
    response["X-Search-Semantic"] = results.semantic
    return hit_payloads([(hit.paper, hit.score) for hit in results.hits])


@router.get(
    "/papers/{path:arxiv_id}/similar",
    response={200: list[DailyPaper], **errors(404, 422)},
    summary="Similar papers",
    operation_id="papers_similar",
)
def similar(
    request: HttpRequest,
    arxiv_id: ArxivId,
    limit: Annotated[int, Query(ge=1, description="How many papers (at most 50).")] = 10,
) -> list[dict[str, Any]]:
    """The papers nearest to this one by meaning (by shared words while it has no vector)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    found = papers_similar(paper=paper, limit=min(limit, 50))
    return hit_payloads([(item.paper, item.score) for item in found])
