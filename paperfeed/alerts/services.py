"""Alerts: set, changed and stopped by their reader; matched against the papers that arrived
since each alert's last run (`alerts_check`, the worker's `alerts` job)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.accounts.models import SavedSearch
from paperfeed.alerts.models import Alert, AlertMatch, new_secret
from paperfeed.papers.models import Paper
from paperfeed.search.embedding import Embedder
from paperfeed.search.indexing import scratch_index
from paperfeed.search.keyword import KeywordIndex
from paperfeed.search.models import PaperVector
from paperfeed.search.query import query_parse

log = logging.getLogger(__name__)
LOGIN_NEEDED = "Log in to set alerts."
# A paper matches an alert by its words (every word and phrase of the query, its filters and
# exclusions), or by meaning: the query's embedding at least this close (cosine) to the paper's,
# its filters and exclusions holding. Measured with MiniLM: "diffusion models" against papers on
# denoising generative models that never say "diffusion": 0.31 and 0.38; against unrelated
# papers 0.13 and 0.16. An alert mails people, so meaning alone must be close: this floor lets
# in papers near a long, specific query (a title), not every paper a short one resembles.
SEMANTIC_FLOOR = 0.5
MAX_PAPERS = 50_000  # new papers matched in one run (a day of arXiv is about 2,000 to 3,000)


def alert_set(
    *,
    user: AnyUser | None,
    search_id: int,
    frequency: str = Alert.DAILY,
    by_email: bool = False,
    by_feed: bool = True,
    now: datetime | None = None,
) -> Alert:
    """Turn on (or change) the alert of one of the reader's saved searches. It reports papers
    that arrive from now on."""
    user = require_login(user, LOGIN_NEEDED)
    if frequency not in dict(Alert.FREQUENCIES):
        raise ValueError(f"'{frequency}' is not an alert frequency (use daily or weekly)")
    if not (by_email or by_feed):
        raise ValueError("An alert needs a way to reach you: email, feed or both.")
    search = SavedSearch.objects.get(pk=search_id, user=user)
    alert, created = Alert.objects.get_or_create(
        search=search,
        defaults={"frequency": frequency, "by_email": by_email, "by_feed": by_feed,
                  "checked_until": now or timezone.now()},
    )  # fmt: skip
    if not created:
        alert.frequency, alert.by_email, alert.by_feed = frequency, by_email, by_feed
        alert.save(update_fields=["frequency", "by_email", "by_feed"])
    return alert


def alert_stop(*, user: AnyUser | None, search_id: int) -> bool:
    """Turn a saved search's alert off (its matches go with it); False when it had none."""
    user = require_login(user, LOGIN_NEEDED)
    deleted, _ = Alert.objects.filter(search_id=search_id, search__user=user).delete()
    return bool(deleted)


def alert_feed_renew(*, user: AnyUser | None, search_id: int) -> Alert:
    """A new private feed address; the old one answers 404 from now on."""
    user = require_login(user, LOGIN_NEEDED)
    alert = Alert.objects.get(search_id=search_id, search__user=user)
    alert.feed_secret = new_secret()
    alert.save(update_fields=["feed_secret"])
    return alert


@dataclass
class CheckSummary:
    alerts: int = 0
    papers: int = 0  # arrived since the earliest alert's last run
    matches: int = 0

    def __str__(self) -> str:
        return (
            f"{self.alerts:,} alerts checked against {self.papers:,} new papers: "
            f"{self.matches:,} matches"
        )


def alerts_check(*, now: datetime | None = None, embedder: Embedder | None = None) -> CheckSummary:
    """Match every alert against the papers stored since its last run, never the whole catalog:
    the new papers get a scratch keyword index of their own, and with an embedder their stored
    vectors are compared with each query's. A match is stored once, whatever the reruns."""
    now = now or timezone.now()
    summary = CheckSummary()
    alerts = list(Alert.objects.select_related("search").order_by("pk"))
    summary.alerts = len(alerts)
    if not alerts:
        return summary
    since = Alert.objects.aggregate(since=Min("checked_until"))["since"]
    new = Paper.objects.filter(created_at__gt=since, created_at__lte=now)
    # A bulk import (a snapshot of old papers) is not news: past MAX_PAPERS arrivals, only the
    # most recently published are matched.
    arrived = dict(new.order_by("-published", "-id").values_list("id", "created_at")[:MAX_PAPERS])
    if len(arrived) == MAX_PAPERS:
        log.warning(
            "alerts: over %s papers arrived since the last run; only the most recently "
            "published are matched",
            f"{MAX_PAPERS:,}",
        )
    summary.papers = len(arrived)
    if arrived:
        vectors = _vectors(embedder, list(arrived)) if embedder is not None else None
        with scratch_index(list(arrived)) as kindex:
            for alert in alerts:
                found = _matches(alert, kindex, arrived, vectors, embedder)
                with transaction.atomic():
                    AlertMatch.objects.bulk_create(
                        [
                            AlertMatch(
                                alert=alert, paper_id=pid, score=score, how=how, found_at=now
                            )  # fmt: skip
                            for pid, (score, how) in found.items()
                        ],
                        ignore_conflicts=True,  # matched on an earlier run: once only
                    )
                    Alert.objects.filter(pk=alert.pk).update(checked_until=now)
                summary.matches += len(found)
    else:
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(checked_until=now)
    return summary


Vectors = tuple[np.ndarray, np.ndarray]  # (paper ids, their unit vectors as float32 rows)


def _vectors(embedder: Embedder, paper_ids: list[int]) -> Vectors | None:
    rows = PaperVector.objects.filter(model=embedder.model_name, paper_id__in=paper_ids)
    found = list(rows.values_list("paper_id", "vector"))
    if not found:
        return None
    ids = np.array([pid for pid, _ in found], dtype=np.int64)
    matrix = np.stack([np.frombuffer(bytes(v), dtype=np.float16) for _, v in found])
    return ids, matrix.astype(np.float32)


def _matches(
    alert: Alert,
    kindex: KeywordIndex,
    arrived: dict[int, datetime],
    vectors: Vectors | None,
    embedder: Embedder | None,
) -> dict[int, tuple[float, str]]:
    """paper id → (score, how) for the new papers that match this alert."""
    parsed = query_parse(alert.search.query)
    new = {pid for pid, created in arrived.items() if created > alert.checked_until}
    found: dict[int, tuple[float, str]] = {}
    query = kindex.every_word_query(parsed)
    if query is None and parsed.has_filters and not parsed.text:
        query = kindex.constraint_query(parsed)  # a filter alone: "cat:cs.CV has:code"
    if query is not None:
        for pid, score in kindex.hits(query, limit=len(arrived)):
            if pid in new:
                found[pid] = (score, AlertMatch.KEYWORD)
    if vectors is not None and embedder is not None and parsed.text:
        ids, matrix = vectors
        cosines = matrix @ embedder.encode_query(parsed.text)
        close = [int(p) for p, c in zip(ids, cosines, strict=True) if c >= SEMANTIC_FLOOR]
        close = [pid for pid in close if pid in new and pid not in found]
        constraint = kindex.constraint_query(parsed)
        if close and constraint is not None:
            close = sorted(kindex.keep_matching(close, constraint))
        score_of = dict(zip(ids.tolist(), cosines.tolist(), strict=True))
        for pid in close:
            found[pid] = (float(score_of[pid]), AlertMatch.SEMANTIC)
    return found
