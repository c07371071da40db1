"""GET /api/papers/{arxiv_id}: one paper, as Hugging Face's `paper_info()` reads it."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router

from paperfeed.api.common import errors, not_in_catalog_detail
from paperfeed.api.schemas import PaperDetail
from paperfeed.api.shapes import paper_detail_payload
from paperfeed.community.selectors import paper_community
from paperfeed.papers.selectors import paper_get_or_404

router = Router(tags=["papers"])

ArxivId = Annotated[
    str,
    Path(
        description="An arXiv id in any form: 2401.12345, 2401.12345v2, hep-th/9901001 "
        "(old-style ids keep their slash), arXiv:2401.12345, https://arxiv.org/abs/2401.12345."
    ),
]


@router.get(
    "/papers/{path:arxiv_id}",
    response={200: PaperDetail, **errors(404)},
    summary="One paper",
    operation_id="paper_get",
)
def paper_detail(request: HttpRequest, arxiv_id: ArxivId) -> dict[str, Any]:
    """The paper with its upvotes, comment count and, if it was featured, when and by whom.
    Any accepted form of the id answers the canonical paper."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    community = paper_community(paper=paper, user=None)
    featured = community.featured
    return paper_detail_payload(
        paper,
        upvotes=community.upvotes,
        comments=featured.comments_total if featured else len(community.comments),
        featured_on=featured.featured_on if featured else None,
        submitted_by=featured.submitted_by if featured else "",
    )
