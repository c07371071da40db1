"""Your recommendations (authenticated): the For-you list as JSON, and "not interested"."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema

from paperfeed.api.auth import AUTH, AuthedRequest
from paperfeed.api.common import (
    LIMIT_DOC,
    WRITE_ERRORS,
    capped,
    errors,
    not_in_catalog_detail,
)
from paperfeed.api.papers import ArxivId
from paperfeed.api.schemas import DailyPaper
from paperfeed.api.shapes import hit_payloads
from paperfeed.api.throttling import write_throttles
from paperfeed.papers.selectors import paper_get_or_404
from paperfeed.recommend.forms import WINDOW_DAYS
from paperfeed.recommend.selectors import for_you_recommendations, recent_until
from paperfeed.recommend.services import dismissal_set

router = Router(tags=["recommendations"], auth=AUTH)


class Recommended(DailyPaper):
    """A paper picked for you, with why."""

    reason: str = Field(..., description="One line saying why, e.g. 'close to “Title” in your "
                        "library'.")  # fmt: skip


class DismissedOut(Schema):
    dismissed: bool = Field(..., description="Whether you marked the paper not interested.")


@router.get(
    "/recommendations",
    response={200: list[Recommended], **errors(401, 403, 422)},
    summary="Papers picked for you",
    operation_id="recommendations_list",
)
def recommendations(
    request: AuthedRequest,
    window: Annotated[
        Literal["day", "week", "month"],
        Query(description="How far back to look for recent papers."),
    ] = "week",
    limit: Annotated[int, Query(ge=1, description=LIMIT_DOC)] = 20,
) -> list[dict[str, Any]]:
    """Recent papers ranked by a model learned from your library, upvotes and the papers you
    marked "not interested", best first; `score` is the model's (comparable within one answer
    only). Empty until your library, votes or followed categories and authors give a signal."""
    until = recent_until()
    since = until - timedelta(days=WINDOW_DAYS[window])
    recs = for_you_recommendations(user=request.auth, since=since, until=until, limit=capped(limit))
    items = hit_payloads([(r.paper, r.score) for r in recs])
    return [dict(item, reason=r.reason) for item, r in zip(items, recs, strict=True)]


@router.put(
    "/recommendations/dismissed/{path:arxiv_id}",
    response={200: DismissedOut, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary="Not interested in a paper",
    operation_id="dismissal_add",
)
def dismissal_add(request: AuthedRequest, arxiv_id: ArxivId) -> dict[str, bool]:
    """Mark the paper "not interested": it is never recommended to you again, and your model
    learns from it (marking it twice keeps one mark)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    return {"dismissed": dismissal_set(user=request.auth, paper=paper, on=True)}


@router.delete(
    "/recommendations/dismissed/{path:arxiv_id}",
    response={200: DismissedOut, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary='Take back "not interested"',
    operation_id="dismissal_remove",
)
def dismissal_remove(request: AuthedRequest, arxiv_id: ArxivId) -> dict[str, bool]:
    """Take back a "not interested" mark (nothing happens if there was none)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    return {"dismissed": dismissal_set(user=request.auth, paper=paper, on=False)}
