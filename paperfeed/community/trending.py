"""The trending score: every vote and comment counts for less the older it is.

    score(now) = Σ weight_i · 2^(-(now - t_i) / half_life)

summed over a paper's signals: each vote cast here (weight 1, at the time it was cast), its
imported upvotes (weight 1 each, at the start of its featured day, 00:00 UTC), and its visible
comments (weight 0.5 each, at the time written; imported comments at the start of the featured
day). The half-life is `PAPERFEED_TRENDING_HALF_LIFE_HOURS` (default 48).

Exponential decay has a property that makes the trending page cheap: every term shrinks by the
same factor as time passes, so the *order* of papers never changes until a new vote arrives. We
therefore store, per featured paper, the logarithm of its score at a fixed reference time T0

    trend = log Σ weight_i · e^((t_i - T0) / τ),   τ = half_life / ln 2

(computed with log-sum-exp, so it never overflows), refresh it when a vote or comment changes,
and rank with an index on `trend`; the score shown is `e^(trend - (now - T0) / τ)`. A paper
with nothing to count stores 0 (real keys are far above 0, as T0 is in 1990). Equal scores
(most often: nothing counted yet) go to the later featured day, then to the paper stored first.
See docs/trending.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from django.conf import settings
from django.db import transaction

from paperfeed.community.models import Comment, Featured, Vote

T0 = datetime(1990, 1, 1, tzinfo=UTC)
VOTE_WEIGHT = 1.0
COMMENT_WEIGHT = 0.5
NO_SIGNAL = 0.0

Signal = tuple[datetime, float]  # (when, weight)


def tau_seconds() -> float:
    """The decay's time constant: a signal's weight falls by e in this many seconds."""
    return float(settings.PAPERFEED_TRENDING_HALF_LIFE_HOURS) * 3600 / math.log(2)


def trend_key(signals: Iterable[Signal]) -> float:
    """log Σ w · e^((t - T0)/τ) over the signals, or NO_SIGNAL when there are none."""
    tau = tau_seconds()
    logs = [math.log(w) + (t - T0).total_seconds() / tau for t, w in signals if w > 0]
    if not logs:
        return NO_SIGNAL
    top = max(logs)
    return top + math.log(sum(math.exp(x - top) for x in logs))


def trend_score(key: float, *, now: datetime) -> float:
    """The decayed score at `now` of a paper whose stored key is `key`."""
    if key == NO_SIGNAL:
        return 0.0
    return math.exp(key - (now - T0).total_seconds() / tau_seconds())


def featured_signals(featured: Featured) -> list[Signal]:
    """The imported counts, dated at the start of the featured day."""
    when = day_start(featured.featured_on)
    return [
        (when, VOTE_WEIGHT * featured.source_upvotes),
        (when, COMMENT_WEIGHT * featured.source_comments),
    ]


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def featured_refresh(*, paper_ids: Iterable[int]) -> int:
    """Recompute the derived counts and trend key of these papers' Featured rows from their
    votes and comments (papers not featured are skipped). Returns how many rows changed.

    Call it inside the transaction that changed the votes or comments, after locking the
    Featured row, so that two concurrent votes cannot each write a count missing the other."""
    ids = list(set(paper_ids))
    rows = list(Featured.objects.filter(paper_id__in=ids))
    if not rows:
        return 0
    votes: dict[int, list[datetime]] = defaultdict(list)
    for paper_id, created in Vote.objects.filter(paper_id__in=ids).values_list(
        "paper_id", "created_at"
    ):
        votes[paper_id].append(created)
    comments: dict[int, list[datetime]] = defaultdict(list)
    for paper_id, created in Comment.objects.filter(paper_id__in=ids, hidden=False).values_list(
        "paper_id", "created_at"
    ):
        comments[paper_id].append(created)
    changed = []
    for row in rows:
        signals = featured_signals(row)
        signals += [(t, VOTE_WEIGHT) for t in votes[row.paper_id]]
        signals += [(t, COMMENT_WEIGHT) for t in comments[row.paper_id]]
        new = (len(votes[row.paper_id]), len(comments[row.paper_id]), trend_key(signals))
        if new != (row.votes, row.comment_count, row.trend):
            row.votes, row.comment_count, row.trend = new
            changed.append(row)
    Featured.objects.bulk_update(changed, ["votes", "comment_count", "trend"])
    return len(changed)


def papers_with_local_signal(*, paper_ids: list[int]) -> list[int]:
    """Which of these papers have votes or comments made here (a large import asks this once
    rather than recomputing every row)."""
    if not paper_ids:
        return []
    voted = Vote.objects.filter(paper_id__in=paper_ids).values_list("paper_id", flat=True)
    commented = Comment.objects.filter(paper_id__in=paper_ids).values_list("paper_id", flat=True)
    return sorted(set(voted) | set(commented))


def featured_refresh_all(*, batch_size: int = 2000) -> int:
    """Rebuild every featured paper's counts and trend key (after changing the half-life, or
    to check that nothing drifted). One transaction per batch; safe to re-run."""
    changed = 0
    last = 0
    while True:
        ids = list(
            Featured.objects.filter(paper_id__gt=last)
            .order_by("paper_id")
            .values_list("paper_id", flat=True)[:batch_size]
        )
        if not ids:
            return changed
        with transaction.atomic():
            changed += featured_refresh(paper_ids=ids)
        last = ids[-1]
