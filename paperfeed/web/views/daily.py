"""Daily papers (a day, an ISO week or a month of featured papers) and trending papers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from paperfeed.accounts.http import anonymous_cache
from paperfeed.community.selectors import (
    daily_latest_period,
    daily_papers,
    featured_latest_day,
    featured_neighbours,
    trending_by_stars,
    trending_current,
)
from paperfeed.lib.periods import Period, PeriodError, period_of, period_parse

SORTS = (("votes", "Most votes"), ("trending", "Trending"))
WINDOWS = (("day", "Day"), ("week", "Week"), ("month", "Month"))
TRENDING_SORTS = (("score", "Community"), ("stars", "GitHub stars"))
ROUTES = {"day": "daily_day", "week": "daily_week", "month": "daily_month"}
TRENDING_PAGE = 30
TRENDING_MAX_PAGES = 20
# Anonymous visitors share a rendering of a list for this long (see anonymous_cache).
LIST_CACHE_SECONDS = 5


@anonymous_cache("page", LIST_CACHE_SECONDS)
def index(request: HttpRequest) -> HttpResponse:
    """Today's papers, or those of the latest day that has some."""
    return _daily(request, daily_latest_period(), latest=True)


@anonymous_cache("page", LIST_CACHE_SECONDS)
def by_period(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    try:
        period = period_parse(kind, slug)
    except PeriodError as exc:
        raise Http404(f"{exc}. Try {_example(kind)}.") from None
    return _daily(request, period)


def _daily(request: HttpRequest, period: Period, *, latest: bool = False) -> HttpResponse:
    sort = _choice(request.GET.get("sort"), SORTS, "votes")
    user = request.user if request.user.is_authenticated else None
    with_code = request.GET.get("code") == "1"
    entries = daily_papers(period=period, sort=sort, user=user, with_code=with_code)
    if period.kind == "day":
        # Days without papers are skipped: the arrows go to the nearest featured days.
        before, after = featured_neighbours(day=period.start)
        previous = period_of("day", before) if before else None
        following = period_of("day", after) if after else None
    else:
        previous, following = period.previous(), period.next()
        if following.start > timezone.localdate():
            following = None
    query = {"sort": sort} if sort != "votes" else {}
    if with_code:
        query["code"] = "1"
    suffix = f"?{urlencode(query)}" if query else ""
    context = {
        "nav": "daily",
        "period": period,
        "entries": entries,
        "sort": sort,
        "sorts": SORTS,
        "with_code": with_code,
        "latest": latest,
        "show_day": period.kind != "day",
        "prev_url": period_url(previous) + suffix if previous else None,
        "next_url": period_url(following) + suffix if following else None,
        "views": [(k, period_url(period_of(k, period.start))) for k in ("day", "week", "month")],
    }
    return render(request, "web/daily.html", context)


@anonymous_cache("page", LIST_CACHE_SECONDS)
def trending_view(request: HttpRequest) -> HttpResponse:
    window = _choice(request.GET.get("window"), WINDOWS, "week")
    page = _page_number(request.GET.get("page"))
    user = request.user if request.user.is_authenticated else None
    sort = _choice(request.GET.get("sort"), TRENDING_SORTS, "score")
    with_code = request.GET.get("code") == "1"
    # One row more than a page says whether there is a next page, without counting.
    limit, offset = TRENDING_PAGE + 1, (page - 1) * TRENDING_PAGE
    if sort == "stars":
        rows = trending_by_stars(window=window, user=user, limit=limit, offset=offset)
        as_of = None
    else:
        found = trending_current(
            window=window, user=user, limit=limit, offset=offset, with_code=with_code
        )
        rows, as_of = found.entries, found.as_of
    latest = as_of if as_of is not None else (None if rows else featured_latest_day())
    context = {
        "nav": "trending",
        "entries": rows[:TRENDING_PAGE],
        "window": window,
        "windows": WINDOWS,
        "sort": sort,
        "sorts": TRENDING_SORTS,
        "with_code": with_code,
        "page": page,
        "has_next": len(rows) > TRENDING_PAGE and page < TRENDING_MAX_PAGES and as_of is None,
        "rank_offset": (page - 1) * TRENDING_PAGE,
        "as_of": as_of,
        # An empty window (a quiet site, or a sample from long ago) points to the latest list.
        "latest_day": None if rows else latest,
    }
    return render(request, "web/trending.html", context)


def period_url(period: Period) -> str:
    return reverse(ROUTES[period.kind], args=[period.slug])


def _choice(value: str | None, choices: tuple[tuple[str, str], ...], default: str) -> str:
    """`value` when it is one of the choices, else the default (odd URLs get the default page)."""
    return value if value is not None and value in dict(choices) else default


def _page_number(text: str | None) -> int:
    try:
        return min(max(int(text or 1), 1), TRENDING_MAX_PAGES)
    except ValueError:
        return 1


def _example(kind: str) -> str:
    return period_url(period_of(kind, timezone.localdate()))
