""" "Picked for you": a few papers for one subscriber, beside the edition's shared lists.

For a subscriber with an account: the new papers of the authors they follow, then the
recommendations engine (paperfeed.recommend), as "For you" lists them; when it
has nothing to say, the nearest neighbours of their library (paperfeed.search). Then, or for a
subscriber without an account, the newest papers of their chosen categories in the period.

Picks run once per message, so they stay cheap: the category lists are computed once per
edition and set of categories and shared through a PickCache (one per sending process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from paperfeed.digests.editions import period_bounds
from paperfeed.digests.models import Edition, Subscription
from paperfeed.lib.periods import Period
from paperfeed.papers.models import Paper

LIMIT = 5
# Library neighbours must be this recent (by period end) to be news.
NEIGHBOUR_DAYS = 30
# A digest's library neighbours come from at most this many of the latest library papers.
LIBRARY_SEEDS = 3
# Category picks are the newest papers published in the period or the CATEGORY_DAYS before its
# end, whichever is longer: a day's announcements do not always carry that day's date.
CATEGORY_DAYS = 7
DEFERRED = ("title_raw", "abstract_raw", "authors_raw", "versions", "comments", "journal_ref")


@dataclass(frozen=True)
class Pick:
    paper: Paper
    reason: str


@dataclass
class PickCache:
    """Per-process memory for picks shared by many subscribers."""

    pools: dict[int, list[tuple[int, frozenset[str]]]] = field(default_factory=dict)
    by_categories: dict[tuple[int, str], list[Pick]] = field(default_factory=dict)
    papers: dict[int, Paper] = field(default_factory=dict)


def picks_for(
    *, subscription: Subscription, edition: Edition, cache: PickCache | None = None
) -> list[Pick]:
    """Up to LIMIT papers for this subscriber, none of them already in the edition's lists."""
    cache = cache if cache is not None else PickCache()
    shared = {int(row["id"]) for rows in edition.content.values() for row in rows}
    period = Period("day", edition.period_start, edition.period_end)
    if subscription.user_id is not None:
        personal = _for_user(subscription, period, shared)
        if personal:
            return personal
    if subscription.categories:
        return _for_categories(subscription.categories, edition, period, shared, cache)
    return []


def _for_user(subscription: Subscription, period: Period, shared: set[int]) -> list[Pick]:
    since, until = period_bounds(period)
    try:
        from paperfeed.recommend.selectors import for_you_recommendations
    except ImportError:  # an installation without recommendations
        found = []
    else:
        found = for_you_recommendations(
            user=subscription.user, since=since, until=until, limit=LIMIT * 2
        )
    picks = [Pick(r.paper, r.reason) for r in found if r.paper.pk not in shared][:LIMIT]
    return picks or _library_neighbours(subscription, until, shared)


def _library_neighbours(
    subscription: Subscription, until: datetime, shared: set[int]
) -> list[Pick]:
    from paperfeed.accounts.selectors import library_papers
    from paperfeed.search.selectors import papers_similar

    seeds = list(library_papers(user=subscription.user).defer(*DEFERRED)[:LIBRARY_SEEDS])
    if not seeds:
        return []
    owned = set(library_papers(user=subscription.user).values_list("id", flat=True))
    oldest = until - timedelta(days=NEIGHBOUR_DAYS)
    picks: list[Pick] = []
    seen = owned | shared
    for seed in seeds:
        for near in papers_similar(paper=seed, limit=20):
            paper = near.paper
            if paper.pk in seen or paper.published is None or paper.published < oldest:
                continue
            seen.add(paper.pk)
            picks.append(Pick(paper, f"close to “{seed.title}” in your library"))
            if len(picks) >= LIMIT:
                return picks
    return picks


def _for_categories(
    categories: str, edition: Edition, period: Period, shared: set[int], cache: PickCache
) -> list[Pick]:
    key = (edition.pk, categories)
    if key in cache.by_categories:
        return cache.by_categories[key]
    pool = cache.pools.get(edition.pk)
    if pool is None:
        since, until = period_bounds(period)
        since = min(since, until - timedelta(days=CATEGORY_DAYS))
        rows = (
            Paper.objects.filter(published__gte=since, published__lt=until)
            .order_by("-published", "-id")
            .values_list("id", "categories")
        )
        pool = cache.pools[edition.pk] = [(pid, frozenset(cats.split())) for pid, cats in rows]
    wanted = categories.split()
    chosen: list[tuple[int, str]] = []
    for pid, cats in pool:
        if pid in shared:
            continue
        match = next((w for w in wanted if _matches(w, cats)), None)
        if match is not None:
            chosen.append((pid, match))
            if len(chosen) >= LIMIT:
                break
    missing = [pid for pid, _ in chosen if pid not in cache.papers]
    if missing:
        cache.papers.update(Paper.objects.defer(*DEFERRED).in_bulk(missing))
    picks = [Pick(cache.papers[pid], f"new in {match}") for pid, match in chosen]
    cache.by_categories[key] = picks
    return picks


def _matches(wanted: str, categories: frozenset[str]) -> bool:
    """cs.LG matches cs.LG; an archive (cs, hep-th) matches its own categories too."""
    if wanted in categories:
        return True
    if "." in wanted:
        return False
    prefix = wanted + "."
    return any(c.startswith(prefix) for c in categories)
