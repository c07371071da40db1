"""Your recommendations (authenticated): the For-you list as JSON."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router

from paperfeed.api.auth import AUTH
from paperfeed.api.common import LIMIT_DOC, capped, errors
from paperfeed.api.schemas import DailyPaper
from paperfeed.api.shapes import hit_payloads
from paperfeed.recommend.forms import WINDOW_DAYS
from paperfeed.recommend.selectors import recent_until, recommendations_for

router = Router(tags=["recommendations"], auth=AUTH)


class Recommended(DailyPaper):
    """A paper picked for you, with why."""

    reason: str = Field(..., description="One line saying why, e.g. 'close to “Title” in your "
                        "library'.")  # fmt: skip


@router.get(
    "/recommendations",
    response={200: list[Recommended], **errors(401, 403, 422)},
    summary="Papers picked for you",
    operation_id="recommendations_list",
)
def recommendations(
    request: HttpRequest,
    window: Literal["day", "week", "month"] = Query(
        "week", description="How far back to look for recent papers."
    ),
    limit: int = Query(20, ge=1, description=LIMIT_DOC),
) -> list[dict[str, Any]]:
    """Recent papers ranked by a model learned from your library, upvotes and the papers you
    marked "not interested", best first; `score` is the model's (comparable within one answer
    only). Empty until your library, votes or followed categories and authors give a signal."""
    until = recent_until()
    since = until - timedelta(days=WINDOW_DAYS[window])
    recs = recommendations_for(user=request.auth, since=since, until=until, limit=capped(limit))
    items = hit_payloads([(r.paper, r.score) for r in recs])
    return [dict(item, reason=r.reason) for item, r in zip(items, recs, strict=True)]
