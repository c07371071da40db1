"""Reads: a reader's recommendations, for the For-you page, the API and the digests.

`recommendations_for` is called for each subscriber of a digest (thousands per run), so it never
trains unless the reader's signal changed since their model was stored, and the vectors of a
window's papers are read once per process and shared by every reader asking for that window.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser
from paperfeed.accounts.models import LibraryEntry
from paperfeed.community.models import Vote
from paperfeed.papers.models import Paper
from paperfeed.recommend.models import Dismissal, Interest, ReaderModel
from paperfeed.recommend.services import reader_model_current
from paperfeed.recommend.training import TrainedModel, model_score, nearest_anchor, top_k
from paperfeed.search.engine import engine
from paperfeed.search.selectors import DEFERRED, paper_vectors

WINDOW_CACHE_SIZE = 8


@dataclass(frozen=True)
class Recommendation:
    paper: Paper
    score: float
    reason: str  # one line, e.g. 'close to “Title” in your library'


def recommendations_for(
    *, user: AnyUser | None, since: datetime, until: datetime | None = None, limit: int = 20
) -> list[Recommendation]:
    """The papers published in [since, until) that the reader should see first, best first;
    never one already in their library, upvoted or dismissed. [] when the reader has given no
    signal (no library, votes, categories or authors)."""
    if user is None or not user.is_authenticated or limit <= 0:
        return []
    stored = reader_model_current(user=user)
    if stored.kind == "empty":
        return interest_recommendations(user=user, since=since, until=until, limit=limit)
    ids, matrix = _window(since, until)
    if not ids:
        return []
    keep = ~np.isin(np.asarray(ids), list(_seen(user)))
    ids, matrix = [pid for pid, k in zip(ids, keep, strict=True) if k], matrix[keep]
    if not ids:
        return []
    model = trained_model(stored)
    scores = model_score(model, matrix)
    top = top_k(scores, limit)
    anchor, _ = nearest_anchor(model, matrix[top])
    papers = Paper.objects.defer(*DEFERRED).in_bulk([ids[i] for i in top])
    reasons = _reasons(user, stored, [int(a) for a in anchor])
    return [
        Recommendation(paper=papers[ids[i]], score=float(scores[i]), reason=reasons[n])
        for n, i in enumerate(top)
        if ids[i] in papers
    ]


def trained_model(stored: ReaderModel) -> TrainedModel:
    weights = np.frombuffer(bytes(stored.weights), dtype=np.float32)
    anchors = np.frombuffer(bytes(stored.anchors), dtype=np.float16).astype(np.float32)
    dim = len(weights) or (len(anchors) // max(1, len(stored.anchor_ids)))
    return TrainedModel(
        kind=stored.kind,
        weights=weights,
        bias=stored.bias,
        anchors=anchors.reshape(-1, dim) if dim else anchors.reshape(0, 0),
        mix=stored.mix,
    )


def _seen(user: User) -> set[int]:
    """Papers the reader has already dealt with: in the library, upvoted or dismissed."""
    library = LibraryEntry.objects.filter(user=user).values_list("paper_id", flat=True)
    votes = Vote.objects.filter(user=user).values_list("paper_id", flat=True)
    dismissed = Dismissal.objects.filter(user=user).values_list("paper_id", flat=True)
    return set(library.union(votes, dismissed))  # one query


def _reasons(user: User, stored: ReaderModel, anchors: list[int]) -> list[str]:
    """'close to “Title” …', naming the library or upvoted paper nearest to each pick."""
    anchor_ids = [stored.anchor_ids[a] for a in anchors if a < len(stored.anchor_ids)]
    titles = dict(Paper.objects.filter(id__in=anchor_ids).values_list("id", "title"))
    in_library = set(
        LibraryEntry.objects.filter(user=user, paper_id__in=anchor_ids).values_list(
            "paper_id", flat=True
        )
    )
    reasons = []
    for a in anchors:
        pid = stored.anchor_ids[a] if a < len(stored.anchor_ids) else None
        title = title_short(titles.get(pid, "")) if pid is not None else ""
        if not title:
            reasons.append("close to the papers in your library")
        elif pid in in_library:
            reasons.append(f"close to “{title}” in your library")
        else:
            reasons.append(f"close to “{title}”, which you upvoted")
    return reasons


def title_short(title: str, limit: int = 80) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


# The window's papers and their vectors -----------------------------------------------------
_windows: OrderedDict[tuple[Hashable, ...], tuple[list[int], np.ndarray]] = OrderedDict()
_windows_lock = threading.Lock()


def _in_window(since: datetime, until: datetime | None) -> Q:
    q = Q(published__gte=since)
    return q & Q(published__lt=until) if until is not None else q


def _window(since: datetime, until: datetime | None) -> tuple[list[int], np.ndarray]:
    """The ids and vectors of the papers published in the window that have a vector. Shared by
    every reader asking for the same window until a paper or vector arrives in it."""
    current = engine()
    current.vectors.refresh()
    stamp = Paper.objects.filter(_in_window(since, until)).aggregate(n=Count("id"), last=Max("id"))
    key = (current.model, since, until, current.vectors.version, stamp["n"], stamp["last"])
    with _windows_lock:
        if key in _windows:
            _windows.move_to_end(key)
            return _windows[key]
    pids = list(Paper.objects.filter(_in_window(since, until)).values_list("id", flat=True))
    found = paper_vectors(paper_ids=pids)
    if len(found[0]) < len(pids):
        return found  # some papers wait for their vectors: do not keep a partial window
    with _windows_lock:
        _windows[key] = found
        while len(_windows) > WINDOW_CACHE_SIZE:
            _windows.popitem(last=False)
    return found


# Followed authors and categories ---------------------------------------------------------------
FOLLOWED_SCORE = 2.0  # above any category pick in the cold-start list


def followed_author_papers(
    *, user: AnyUser | None, since: datetime, until: datetime | None = None, limit: int = 20
) -> list[Recommendation]:
    """The papers published in [since, until) by the authors the reader follows, newest first,
    each once, with the reason "by X, whom you follow" (X: the first followed author in the
    paper's author list); never one already in their library, upvoted or dismissed."""
    if user is None or not user.is_authenticated or limit <= 0:
        return []
    window = (  # what the reader has seen, as subqueries: no list of ids to send
        Paper.objects.filter(_in_window(since, until))
        .exclude(id__in=LibraryEntry.objects.filter(user=user).values("paper_id"))
        .exclude(id__in=Vote.objects.filter(user=user).values("paper_id"))
        .exclude(id__in=Dismissal.objects.filter(user=user).values("paper_id"))
    )
    return _followed(user, window, limit)


def _followed(user: User, window: QuerySet[Paper], limit: int) -> list[Recommendation]:
    """The papers of `window` by the authors the reader follows; one query when they follow
    none."""
    keys = Interest.objects.filter(user=user, kind=Interest.AUTHOR).values("value")
    rows = (
        window.filter(authorships__author__key__in=keys)
        .order_by("-published", "-id", "authorships__position")
        .values_list("id", "authorships__author__name")
    )
    reasons: dict[int, str] = {}
    for pid, name in rows:
        if pid not in reasons:
            if len(reasons) == limit:
                break
            reasons[pid] = f"by {name}, whom you follow"
    if not reasons:
        return []
    papers = Paper.objects.defer(*DEFERRED).in_bulk(list(reasons))
    return [
        Recommendation(paper=papers[pid], score=FOLLOWED_SCORE, reason=reason)
        for pid, reason in reasons.items()
        if pid in papers
    ]


def for_you_recommendations(
    *, user: AnyUser | None, since: datetime, until: datetime | None = None, limit: int = 20
) -> list[Recommendation]:
    """The For-you list: the new papers of the authors the reader follows, whatever their
    library holds, then `recommendations_for`'s picks, each paper once. Followed papers take
    at most half the list while the model has picks for the rest, so one prolific author does
    not push out everything else."""
    if user is None or not user.is_authenticated or limit <= 0:
        return []
    followed = followed_author_papers(user=user, since=since, until=until, limit=limit)
    picks = recommendations_for(user=user, since=since, until=until, limit=limit)
    taken = {rec.paper.id for rec in followed}
    others = [rec for rec in picks if rec.paper.id not in taken]
    first = followed[: max(limit // 2, limit - len(others))]
    return first + others[: limit - len(first)]


def interest_of(*, user: User, kind: str, value: str) -> Interest | None:
    """The reader's interest in a category code or an author key, if they follow it."""
    return Interest.objects.filter(user=user, kind=kind, value=value).first()


def interest_recommendations(
    *, user: User, since: datetime, until: datetime | None = None, limit: int = 20
) -> list[Recommendation]:
    """For a reader with no library or votes yet: the newest papers by the authors they follow,
    then those in the categories they picked."""
    seen = _seen(user)
    window = Paper.objects.filter(_in_window(since, until)).exclude(id__in=list(seen))
    followed = _followed(user, window, limit)
    categories = set(
        Interest.objects.filter(user=user, kind=Interest.CATEGORY).values_list("value", flat=True)
    )
    if not categories or len(followed) >= limit:
        return followed
    query = Q()
    for category in categories:
        query |= Q(categories__contains=category)
    window = window.exclude(id__in=[rec.paper.id for rec in followed])
    reasons: dict[int, str] = {}
    for pid, cats in window.filter(query).values_list("id", "categories"):
        shared = sorted(c for c in categories if _covers(c, cats.split()))
        if shared:
            reasons[pid] = f"new in {', '.join(shared)}, which you follow"
    papers = Paper.objects.defer(*DEFERRED).in_bulk(list(reasons))
    ranked = sorted(
        papers.values(),
        key=lambda p: (-(p.published.timestamp() if p.published else 0), -p.id),
    )
    return followed + [
        Recommendation(paper=p, score=1.0, reason=reasons[p.id])
        for p in ranked[: limit - len(followed)]
    ]


def _covers(followed: str, categories: list[str]) -> bool:
    """A followed category covers itself; a followed archive ("cs") covers its categories."""
    return any(c == followed or c.startswith(followed + ".") for c in categories)


@dataclass(frozen=True)
class ReaderSignal:
    library: int
    votes: int
    dismissed: int
    interests: int

    @property
    def empty(self) -> bool:
        return not (self.library or self.votes or self.interests)


def reader_signal(*, user: User) -> ReaderSignal:
    """How much the reader has told us, for the pages to explain what their list is based on."""
    return ReaderSignal(
        library=LibraryEntry.objects.filter(user=user).count(),
        votes=Vote.objects.filter(user=user).count(),
        dismissed=Dismissal.objects.filter(user=user).count(),
        interests=Interest.objects.filter(user=user).count(),
    )


def reader_interests(*, user: User) -> list[Interest]:
    return list(Interest.objects.filter(user=user).order_by("kind", "label"))


def recent_until() -> datetime:
    """The end of "recent": now, or just after the newest paper when the catalog has not been
    updated lately (a mirror that stopped ingesting still shows its latest papers)."""
    now = timezone.now()
    newest: datetime | None = Paper.objects.aggregate(last=Max("published"))["last"]
    if newest is None or newest >= now:
        return now
    return newest + timedelta(seconds=1)


def recommend_caches_clear() -> None:
    """Forget the windows and background sample kept in this process (tests, after a rebuild)."""
    from paperfeed.recommend.services import background_clear

    with _windows_lock:
        _windows.clear()
    background_clear()
