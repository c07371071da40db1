"""Daily papers, trending, submissions, upvotes and comments."""

from __future__ import annotations

from datetime import date as date_of
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from paperfeed.accounts.http import anonymous_cache
from paperfeed.api.auth import AUTH, AuthedRequest
from paperfeed.api.common import (
    LIMIT_DOC,
    MAX_PAGE,
    PAGE_DOC,
    WRITE_ERRORS,
    capped,
    errors,
    link_next,
    not_in_catalog_detail,
)
from paperfeed.api.constraints import DayParam, MonthParam, WeekParam
from paperfeed.api.papers import ArxivId, paper_detail
from paperfeed.api.schemas import Comment, CommentIn, DailyPaper, PaperDetail, SubmitIn, VoteOut
from paperfeed.api.shapes import entry_payloads
from paperfeed.api.throttling import comment_throttles, write_throttles
from paperfeed.community.models import Comment as CommentModel
from paperfeed.community.selectors import (
    daily_latest_period,
    daily_papers,
    paper_community,
    trending_current,
)
from paperfeed.community.services import (
    AlreadyFeatured,
    CommentError,
    SubmitError,
    comment_create,
    comment_delete,
    comment_edit,
    paper_submit,
    vote_set,
)
from paperfeed.lib.periods import Period, PeriodError, period_parse
from paperfeed.papers.selectors import paper_get_or_404
from paperfeed.search.tasks import paper_embed

router = Router(tags=["community"])
# The daily lists' periods (`date`, `week`, `month`), each optional.
Day = Annotated[DayParam | None, Query(description="A day, YYYY-MM-DD.")]
Week = Annotated[
    WeekParam | None,
    Query(
        description="An ISO week, YYYY-Www (e.g. 2026-W11); week 53 of a year that has 52 is not "
        "found (404). With `date` or `month`, the days the periods share."
    ),
]
Month = Annotated[
    MonthParam | None,
    Query(description="A month, YYYY-MM. With `date` or `week`, the days they share."),
]
# The API's sort names (Hugging Face's) and the selector's.
DAILY_SORTS = {"publishedAt": "latest", "votes": "votes", "trending": "trending"}


@router.get(
    "/daily_papers",
    response={200: list[DailyPaper], **errors(404, 422)},
    summary="Daily papers",
    operation_id="daily_papers",
)
@decorate_view(anonymous_cache("api", settings.API_CACHE_SECONDS))
def daily(
    request: HttpRequest,
    response: HttpResponse,
    date: Day = None,
    week: Week = None,
    month: Month = None,
    p: Annotated[int, Query(ge=0, le=MAX_PAGE, description=PAGE_DOC)] = 0,
    limit: Annotated[int, Query(ge=1, description=LIMIT_DOC)] = 50,
    sort: Annotated[
        Literal["publishedAt", "trending", "votes"],
        Query(
            description="publishedAt: the latest featured day first, each day by upvotes; "
            "votes: most upvotes first; trending: highest trending score first."
        ),
    ] = "publishedAt",
    submitter: Annotated[
        str | None, Query(max_length=200, description="Only papers featured by this user name.")
    ] = None,
) -> list[dict[str, Any]]:
    """The papers featured on a day, an ISO week or a month; without one, the latest day that
    has featured papers. Given together, they narrow the list to the days they share (none, if
    they share none), as filters do: a schema cannot say "at most one", so the API asks none."""
    given = [(k, v) for k, v in (("day", date), ("week", week), ("month", month)) if v is not None]
    if given:
        periods = [_period(kind, slug) for kind, slug in given]
        since, until = max(x.start for x in periods), min(x.end for x in periods)
        period = Period(periods[0].kind, since, max(since, until))  # the narrowest kind first
    else:
        period = daily_latest_period()
    size = capped(limit)
    # One row more than a page says whether there is a next page, without counting.
    entries = daily_papers(
        period=period, sort=DAILY_SORTS[sort], submitter=submitter, limit=size + 1, offset=p * size
    )
    if len(entries) > size:
        link_next(request, response, page=p)
    return entry_payloads(entries[:size])


def _period(kind: str, slug: str) -> Period:
    """The period named by a slug that has passed the parameter's pattern, which leaves two
    refusals: a day that is not in the calendar (2026-02-30: 422, as `format: date` says) and
    week 53 of a year that has 52 (2026-W53: well formed, but there is no such week: 404)."""
    try:
        return period_parse(kind, slug)
    except PeriodError as exc:
        if kind == "week":
            year = int(slug[:4])
            weeks = date_of(year, 12, 28).isocalendar().week  # 28 December is in the last week
            raise Http404(f"{slug} is not a week: {year} has {weeks} ISO weeks.") from None
        raise HttpError(422, f"{exc}.") from None


@router.get(
    "/trending",
    response={200: list[DailyPaper], **errors(422)},
    summary="Trending papers",
    operation_id="trending",
)
@decorate_view(anonymous_cache("api", settings.API_CACHE_SECONDS))
def trending(
    request: HttpRequest,
    response: HttpResponse,
    window: Annotated[
        Literal["day", "week", "month"],
        Query(description="Papers featured today and yesterday (day), the last 7 or 30 days."),
    ] = "week",
    p: Annotated[int, Query(ge=0, le=MAX_PAGE, description=PAGE_DOC)] = 0,
    limit: Annotated[int, Query(ge=1, description=LIMIT_DOC)] = 50,
) -> list[dict[str, Any]]:
    """Featured papers ranked by their time-decayed score of upvotes and comments
    (docs/trending.md); `score` holds it."""
    size = capped(limit)
    found = trending_current(window=window, limit=size + 1, offset=p * size)
    rows = found.entries
    if found.as_of is not None:  # an empty window: ranked as of the latest featured day
        response["X-Trending-As-Of"] = found.as_of.isoformat()
    elif len(rows) > size:
        link_next(request, response, page=p)
    return entry_payloads(rows[:size], scores=True)


@router.post(
    "/papers/index",
    response={201: PaperDetail, **errors(*WRITE_ERRORS, 409)},
    auth=AUTH,
    throttle=write_throttles(),
    summary="Submit a paper",
    operation_id="paper_submit",
)
def submit(request: AuthedRequest, payload: SubmitIn) -> Status[dict[str, Any]]:
    """Feature a paper on today's list, submitted by you. It is fetched from arXiv when it is
    not in the catalog yet. A paper is featured once, and only within a few days of its
    publication."""
    try:
        featured = paper_submit(user=request.auth, text=payload.arxivId)
    except AlreadyFeatured as exc:
        raise HttpError(409, str(exc)) from None
    except SubmitError as exc:
        raise HttpError(400, str(exc)) from None
    paper_embed.enqueue(paper_ids=[featured.paper.pk])  # searchable by meaning soon
    return Status(201, paper_detail(request, featured.paper.arxiv_id))


@router.post(
    "/papers/{path:arxiv_id}/upvote",
    response={200: VoteOut, **errors(*WRITE_ERRORS)},
    auth=AUTH,
    throttle=write_throttles(),
    summary="Upvote a paper",
    operation_id="paper_upvote",
)
def upvote(request: AuthedRequest, arxiv_id: ArxivId) -> dict[str, Any]:
    """Upvote the paper; upvoting twice counts once."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    state = vote_set(user=request.auth, paper=paper, on=True)
    return {"upvoted": state.voted, "upvotes": state.upvotes}


@router.delete(
    "/papers/{path:arxiv_id}/upvote",
    response={200: VoteOut, **errors(*WRITE_ERRORS)},
    auth=AUTH,
    throttle=write_throttles(),
    summary="Remove an upvote",
    operation_id="paper_upvote_remove",
)
def upvote_remove(request: AuthedRequest, arxiv_id: ArxivId) -> dict[str, Any]:
    """Take your upvote back (nothing happens if you had not upvoted)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    state = vote_set(user=request.auth, paper=paper, on=False)
    return {"upvoted": state.voted, "upvotes": state.upvotes}


@router.get(
    "/papers/{path:arxiv_id}/comments",
    response={200: list[Comment], **errors(404)},
    summary="A paper's comments",
    operation_id="comments_list",
)
def comments(request: HttpRequest, arxiv_id: ArxivId) -> list[dict[str, Any]]:
    """The comments written here, oldest first (hidden ones are left out)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    return [_comment(c, paper.arxiv_id) for c in paper_community(paper=paper).comments]


@router.post(
    "/papers/{path:arxiv_id}/comments",
    response={201: Comment, **errors(*WRITE_ERRORS)},
    auth=AUTH,
    throttle=comment_throttles(),
    summary="Comment on a paper",
    operation_id="comment_create",
)
def comment_new(
    request: AuthedRequest, payload: CommentIn, arxiv_id: ArxivId
) -> Status[dict[str, Any]]:
    """Post a comment in Markdown (rendered and sanitised; at most 10,000 characters)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    try:
        comment = comment_create(user=request.auth, paper=paper, body=payload.body)
    except CommentError as exc:
        raise HttpError(400, str(exc)) from None
    return Status(201, _comment(comment, paper.arxiv_id))


CommentId = Annotated[int, Path(description="The comment's number (`id` in the comment list).")]


@router.patch(
    "/comments/{int:comment_id}",
    response={200: Comment, **errors(*WRITE_ERRORS)},
    auth=AUTH,
    throttle=write_throttles(),
    summary="Edit a comment",
    operation_id="comment_edit",
)
def comment_update(request: AuthedRequest, payload: CommentIn, comment_id: CommentId) -> Any:
    """Replace the text of one of your comments."""
    comment = _comment_or_404(comment_id)
    try:
        comment_edit(user=request.auth, comment=comment, body=payload.body)
    except CommentError as exc:
        raise HttpError(400, str(exc)) from None
    return _comment(comment, comment.paper.arxiv_id)


@router.delete(
    "/comments/{int:comment_id}",
    response={204: None, **errors(*WRITE_ERRORS)},
    auth=AUTH,
    throttle=write_throttles(),
    summary="Delete a comment",
    operation_id="comment_delete",
)
def comment_remove(request: AuthedRequest, comment_id: CommentId) -> Status[None]:
    """Delete one of your comments (moderators may delete any)."""
    comment_delete(user=request.auth, comment=_comment_or_404(comment_id))
    return Status(204, None)


def _comment_or_404(comment_id: int) -> CommentModel:
    comment = CommentModel.objects.select_related("paper", "author").filter(pk=comment_id).first()
    if comment is None:
        raise Http404(f"There is no comment {comment_id}.")
    return comment


def _comment(comment: CommentModel, arxiv_id: str) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "paperId": arxiv_id,
        "author": comment.author.get_username(),
        "body": comment.body,
        "html": comment.body_html,
        "createdAt": comment.created_at,
        "editedAt": comment.edited_at,
        "hidden": comment.hidden,
    }
