"""Reads of community signal that several callers share: the daily lists, trending, a paper's
votes and comments, a user's votes and submissions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Exists, F, Max, Min, OuterRef, QuerySet
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser
from paperfeed.accounts.models import LibraryEntry
from paperfeed.community.models import Comment, Featured, Vote
from paperfeed.community.services import is_moderator
from paperfeed.community.trending import trend_score
from paperfeed.lib.periods import Period, period_of
from paperfeed.links.models import PaperLink
from paperfeed.links.selectors import Code, code_badges, papers_by_stars_gained
from paperfeed.papers.models import Paper

# How far back each trending window reaches, in days before today (so "day" covers today and
# yesterday: at 00:05 there is still a list).
WINDOWS = {"day": 1, "week": 7, "month": 30}
# Ties (equal scores, e.g. no votes yet) go to the later featured day, then to the paper stored
# first. Every column is on Featured, so the ranking never has to read paper rows.
TRENDING_ORDER = ("-trend", "-featured_on", "paper_id")
# The daily lists' orders. "votes": most upvotes first (`total`, imported plus local), ties to the
# later day, then to the arXiv id; "latest": the latest day first, each day by votes.
DAILY_ORDERS = {
    "votes": ("-total", "-featured_on", "paper__arxiv_id"),
    "latest": ("-featured_on", "-total", "paper__arxiv_id"),
    "trending": TRENDING_ORDER,
}


@dataclass
class PaperEntry:
    """A card on a list: the paper (author names on the row) and its community signal."""

    paper: Paper
    featured_on: date | None
    submitted_by: str
    upvotes: int  # imported upvotes plus votes cast here
    comments: int  # imported comments plus visible comments written here
    score: float  # trending score at `now`; 0 when nothing counts yet
    voted: bool  # whether the given user has upvoted it
    code: Code | None = None  # the paper's own repository, when it names one
    stars_gained: int | None = None  # on the stars ranking: the repository's stars in the window


@dataclass
class PaperCommunity:
    """Everything the paper page shows about the community's view of one paper."""

    featured: Featured | None
    upvotes: int
    voted: bool
    comments: list[Comment] = field(default_factory=list)
    in_library: bool = False
    # Whether the user moderates comments: worked out only when the paper has comments (the page
    # shows moderation only on comments), so False on a paper without any.
    moderator: bool = False


def daily_papers(
    *,
    period: Period,
    sort: str = "votes",
    submitter: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    user: AnyUser | None = None,
    now: datetime | None = None,
    with_code: bool = False,
) -> list[PaperEntry]:
    """The papers featured in the period, by upvotes ("votes": most first, then the later day,
    then arXiv id), by day ("latest": the latest day first, each day by votes) or by trending
    score ("trending"); only those submitted by `submitter` when one is given, only those that
    name their own code with `with_code`. `limit` and
    `offset` page through the list in the database: a page deep in a month reads that page's
    rows, not the month's. Two queries whatever the number (one without a user)."""
    if sort not in DAILY_ORDERS:
        raise ValueError(f"'{sort}' is not a sort order (use votes, latest or trending)")
    order = DAILY_ORDERS[sort]
    rows = Featured.objects.filter(featured_on__gte=period.start, featured_on__lt=period.end)
    if submitter is not None:
        if "\x00" in submitter:  # PostgreSQL can neither store nor compare one: nobody's name
            return []
        rows = rows.filter(submitted_by=submitter)
    if with_code:
        rows = rows.filter(_has_code())
    rows = rows.annotate(total=F("source_upvotes") + F("votes")).order_by(*order)
    if limit is not None or offset:
        # Rank the period on Featured (joined to papers only for the arXiv-id tie-break), then
        # read the papers of one page, as trending() does.
        start = max(offset, 0)
        page = rows.values("id")[start : None if limit is None else start + max(limit, 0)]
        rows = (
            _featured()
            .filter(id__in=page)
            .annotate(total=F("source_upvotes") + F("votes"))
            .order_by(*order)
        )
    else:
        rows = rows.select_related("paper")
    return _entries(list(rows), user=user, now=now)


def daily_latest_period() -> Period:
    """The day shown when none is asked for (`/`, the API without a date): the latest day with
    featured papers up to today, or today when none has any."""
    today = timezone.localdate()
    return period_of("day", featured_latest_day(on_or_before=today) or today)


def trending(
    *,
    window: str = "week",
    user: AnyUser | None = None,
    now: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    with_code: bool = False,
) -> list[PaperEntry]:
    """Papers featured within the window ("day": today and yesterday, "week": the last 7 days,
    "month": the last 30), highest trending score first (only those that name their own code
    with `with_code`); see community/trending.py for the score. Ranked in SQL by the stored
    key, so only one page of rows is read."""
    now, today, since = _window(window, now)
    start = max(offset, 0)
    # Rank the window's candidates on the (featured_on, trend, paper) index alone, then join
    # the papers of one page: the cost grows with the window, not with the catalog.
    window_rows = Featured.objects.filter(featured_on__gte=since, featured_on__lte=today)
    if with_code:
        window_rows = window_rows.filter(_has_code())
    page = window_rows.order_by(*TRENDING_ORDER).values("id")[start : start + max(limit, 0)]
    rows = _featured().filter(id__in=page).order_by(*TRENDING_ORDER)
    return _entries(list(rows), user=user, now=now)


def trending_by_stars(
    *,
    window: str = "week",
    user: AnyUser | None = None,
    now: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PaperEntry]:
    """Papers whose own repository gained the most GitHub stars in the window, as Papers with
    Code ranked them; featured or not (a paper never featured has no votes or submitter)."""
    now, _, since = _window(window, now)
    ranked = papers_by_stars_gained(since=since, limit=max(limit, 0), offset=max(offset, 0))
    papers = Paper.objects.in_bulk([paper_id for paper_id, _ in ranked])
    found: list[tuple[Paper, float | None]] = [(papers[pid], None) for pid, _ in ranked]
    entries = paper_entries(found, user=user, now=now)
    for entry, (_, gained) in zip(entries, ranked, strict=True):
        entry.stars_gained = gained
    return entries


def paper_entries(
    found: list[tuple[Paper, float | None]],
    *,
    user: AnyUser | None = None,
    now: datetime | None = None,
) -> list[PaperEntry]:
    """Cards for papers found another way (search, similar papers, GitHub stars), featured or
    not: the community signal of those featured (one query), the user's votes and the code
    badges. Each card's score is the one given, or its trending score when None."""
    now = now or timezone.now()
    ids = [paper.pk for paper, _ in found]
    featured = {
        row.paper_id: row
        for row in Featured.objects.filter(paper_id__in=ids).only(
            "paper_id", "featured_on", "submitted_by", "source_upvotes", "votes",
            "source_comments", "comment_count", "trend",
        )
    }  # fmt: skip
    voted = _voted_ids(user, ids)
    code = code_badges(ids)
    entries = []
    for paper, score in found:
        row = featured.get(paper.pk)
        if score is None:
            score = trend_score(row.trend, now=now) if row else 0.0
        entries.append(
            PaperEntry(
                paper=paper,
                featured_on=row.featured_on if row else None,
                submitted_by=row.submitted_by if row else "",
                upvotes=row.upvotes if row else 0,
                comments=row.comments_total if row else 0,
                score=score,
                voted=paper.pk in voted,
                code=code.get(paper.pk),
            )
        )
    return entries


@dataclass
class TrendingList:
    entries: list[PaperEntry]
    as_of: date | None = None  # the window was empty: ranked as of the end of this day


def trending_current(
    *,
    window: str = "week",
    user: AnyUser | None = None,
    limit: int = 50,
    offset: int = 0,
    with_code: bool = False,
) -> TrendingList:
    """Trending now; when the window is empty (a quiet site, or the bundled sample featured
    long ago), the first page is ranked as of the end of the latest featured day instead."""
    rows = trending(window=window, user=user, limit=limit, offset=offset, with_code=with_code)
    if rows or offset > 0:
        return TrendingList(rows)
    latest = featured_latest_day()
    if latest is None or latest >= timezone.localdate():
        return TrendingList(rows)
    end_of_day = datetime.combine(latest, time.max, tzinfo=timezone.get_current_timezone())
    rows = trending(window=window, user=user, now=end_of_day, limit=limit, with_code=with_code)
    return TrendingList(rows, latest)


def featured_latest_day(*, on_or_before: date | None = None) -> date | None:
    """The latest day with featured papers (up to `on_or_before`), for `/` on a day that has
    none yet."""
    rows = Featured.objects.all()
    if on_or_before is not None:
        rows = rows.filter(featured_on__lte=on_or_before)
    day: date | None = rows.aggregate(day=Max("featured_on"))["day"]
    return day


def featured_neighbours(*, day: date) -> tuple[date | None, date | None]:
    """The nearest earlier and later days that have featured papers, for day-to-day links that
    skip empty days."""
    before = Featured.objects.filter(featured_on__lt=day).aggregate(d=Max("featured_on"))["d"]
    after = Featured.objects.filter(featured_on__gt=day).aggregate(d=Min("featured_on"))["d"]
    return before, after


def paper_community(*, paper: Paper, user: AnyUser | None = None) -> PaperCommunity:
    """The paper's featuring, upvotes, the user's vote, its comments (oldest first; hidden ones
    only for moderators, who see them marked `hidden`) and whether it is in the user's
    library. One query, and one for the comments with their authors when it has some; whether
    the user moderates is only looked up then (Django reads permissions in two queries)."""
    known = user if isinstance(user, User) and user.is_authenticated else None
    row = _community_row(paper.pk, None if known is None else known.pk)
    if row is None:  # deleted meanwhile
        return PaperCommunity(featured=None, upvotes=0, voted=False)
    moderator = row.comments_any and is_moderator(known)
    comments: list[Comment] = []
    if moderator or row.comments_visible:
        comments = list(_paper_comments(paper, hidden=moderator))
    return PaperCommunity(
        featured=row.featured,
        upvotes=row.featured.upvotes if row.featured else row.local_votes,
        voted=row.voted,
        comments=comments,
        in_library=row.in_library,
        moderator=moderator,
    )


@dataclass(frozen=True)
class _CommunityRow:
    featured: Featured | None
    local_votes: int  # votes cast here
    comments_any: bool  # hidden ones included
    comments_visible: bool
    voted: bool
    in_library: bool


def _community_row(paper_id: int, user_id: int | None) -> _CommunityRow | None:
    """The paper's Featured row, its votes, whether it has comments, and the user's vote and
    library entry: one statement, written out because the ORM took longer to build it (~1.5 ms,
    its subqueries) than three plain queries, where this read takes ~0.3 ms in all. Without a
    user, `user_id = NULL` matches nothing."""
    rows = Featured.objects.raw(_community_sql(), [False, user_id, user_id, paper_id])
    # The columns that are not Featured's become attributes; never featured: every value None.
    row: Any = next(iter(rows), None)
    if row is None:
        return None
    return _CommunityRow(
        featured=row if row.pk is not None else None,
        local_votes=int(row.local_votes),
        comments_any=bool(row.comments_any),
        comments_visible=bool(row.comments_visible),
        voted=bool(row.voted),
        in_library=bool(row.in_library),
    )


@cache
def _community_sql() -> str:
    q = connection.ops.quote_name
    paper, featured = q(Paper._meta.db_table), q(Featured._meta.db_table)
    vote, comment = q(Vote._meta.db_table), q(Comment._meta.db_table)
    library = q(LibraryEntry._meta.db_table)
    fields = Featured._meta.concrete_fields
    columns = ", ".join(f"f.{q(f.column)}" for f in fields if f.column)  # every one has one
    return (
        f"SELECT {columns}, "
        f"(SELECT COUNT(*) FROM {vote} v WHERE v.paper_id = p.id) AS local_votes, "
        f"EXISTS(SELECT 1 FROM {comment} c WHERE c.paper_id = p.id) AS comments_any, "
        f"EXISTS(SELECT 1 FROM {comment} c WHERE c.paper_id = p.id AND c.hidden = %s) "
        "AS comments_visible, "
        f"EXISTS(SELECT 1 FROM {vote} v WHERE v.paper_id = p.id AND v.user_id = %s) AS voted, "
        f"EXISTS(SELECT 1 FROM {library} l WHERE l.paper_id = p.id AND l.user_id = %s) "
        "AS in_library "
        f"FROM {paper} p LEFT JOIN {featured} f ON f.paper_id = p.id WHERE p.id = %s"
    )


def _paper_comments(paper: Paper, *, hidden: bool) -> QuerySet[Comment]:
    """The paper's comments with their authors, oldest first; hidden ones too with `hidden`."""
    comments = Comment.objects.filter(paper=paper).select_related("author")
    if not hidden:
        comments = comments.filter(hidden=False)
    return comments.order_by("created_at", "id")


def user_voted_papers(*, user: AnyUser | None) -> QuerySet[Paper]:
    """The papers the user upvoted, the latest vote first."""
    if user is None or not user.is_authenticated:
        return Paper.objects.none()
    return Paper.objects.filter(votes__user=user).order_by("-votes__created_at", "-votes__id")


def user_submissions(*, user: AnyUser | None) -> QuerySet[Featured]:
    """The papers the user submitted, the newest first."""
    if user is None or not user.is_authenticated:
        return Featured.objects.none()
    return (
        Featured.objects.filter(submitted_user=user)
        .select_related("paper")
        .order_by("-featured_on", "-created_at", "-id")
    )


def _window(window: str, now: datetime | None) -> tuple[datetime, date, date]:
    """(now, today, the window's first day) of a trending window's name."""
    if window not in WINDOWS:
        raise ValueError(f"'{window}' is not a trending window (use day, week or month)")
    now = now or timezone.now()
    today = timezone.localdate(now)
    return now, today, today - timedelta(days=WINDOWS[window])


def _has_code() -> Exists:
    """A Featured row's paper names its own code repository."""
    return Exists(PaperLink.objects.filter(paper_id=OuterRef("paper_id"), primary=True))


def _featured() -> QuerySet[Featured]:
    return Featured.objects.select_related("paper")


def _entries(
    rows: list[Featured], *, user: AnyUser | None, now: datetime | None
) -> list[PaperEntry]:
    now = now or timezone.now()
    voted = _voted_ids(user, [row.paper_id for row in rows])
    code = code_badges([row.paper_id for row in rows])
    return [
        PaperEntry(
            paper=row.paper,
            featured_on=row.featured_on,
            submitted_by=row.submitted_by,
            upvotes=row.upvotes,
            comments=row.comments_total,
            score=trend_score(row.trend, now=now),
            voted=row.paper_id in voted,
            code=code.get(row.paper_id),
        )
        for row in rows
    ]


def _voted_ids(user: AnyUser | None, paper_ids: list[int]) -> set[int]:
    if user is None or not user.is_authenticated or not paper_ids:
        return set()
    return set(
        Vote.objects.filter(user=user, paper_id__in=paper_ids).values_list("paper_id", flat=True)
    )
