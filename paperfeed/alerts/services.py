"""Alerts: set, changed and stopped by their reader; matched against the papers that arrived
since each alert's last run (`alerts_check`, the worker's `alerts` job)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.accounts.models import SavedSearch
from paperfeed.accounts.services import saved_search_save
from paperfeed.alerts.models import Alert, AlertMatch, new_secret
from paperfeed.papers.bulk import insert_rows
from paperfeed.papers.models import Paper
from paperfeed.search.embedding import Embedder
from paperfeed.search.indexing import scratch_index
from paperfeed.search.keyword import KeywordIndex
from paperfeed.search.models import PaperVector
from paperfeed.search.query import ParsedQuery, query_parse

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
WRITE_BATCH = 20_000
BEFORE_EMAIL = "feed"  # AlertMatch.sent_in of matches found before email was turned on
MATCH_COLUMNS = ("alert_id", "paper_id", "score", "how", "found_at", "sent_in")


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
        if by_email and not alert.by_email:
            # Email reports what is new from now on: the matches the feed already listed stay
            # out of the next message.
            AlertMatch.objects.filter(alert=alert, sent_in="").update(sent_in=BEFORE_EMAIL)
        alert.frequency, alert.by_email, alert.by_feed = frequency, by_email, by_feed
        alert.save(update_fields=["frequency", "by_email", "by_feed"])
    return alert


def search_alert_save(
    *,
    user: AnyUser | None,
    query: str,
    name: str = "",
    frequency: str = Alert.DAILY,
    by_email: bool = False,
    by_feed: bool = True,
    now: datetime | None = None,
) -> Alert:
    """Save a search with an alert on it, in one go (the search page's "Save and alert me",
    the API and the CLI). ValueError with a message fit to show for a bad query or choice."""
    with transaction.atomic():
        search = saved_search_save(user=user, query=query, name=name)
        return alert_set(user=user, search_id=search.pk, frequency=frequency,
                         by_email=by_email, by_feed=by_feed, now=now)  # fmt: skip


def alert_stop(*, user: AnyUser | None, search_id: int) -> bool:
    """Turn a saved search's alert off (its matches go with it); False when it had none."""
    user = require_login(user, LOGIN_NEEDED)
    deleted, _ = Alert.objects.filter(search_id=search_id, search__user=user).delete()
    return bool(deleted)


def alerts_email_stop(*, alert_ids: list[int]) -> list[Alert]:
    """Stop emailing these alerts (a link in a message, no login): their feed goes on when
    they have one; an alert left with no way to reach its reader is deleted."""
    alerts = list(Alert.objects.filter(id__in=alert_ids).select_related("search"))
    for alert in alerts:
        if alert.by_feed:
            if alert.by_email:
                alert.by_email = False
                alert.save(update_fields=["by_email"])
        else:
            alert.delete()
    return alerts


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
    vectors are compared with each query's. Each distinct query is evaluated once, however many
    readers saved it; its query texts are embedded in one batched call. A match is stored once,
    whatever the reruns (a run cut short is simply run again)."""
    now = now or timezone.now()
    summary = CheckSummary()
    alerts = list(Alert.objects.order_by("pk").values_list("pk", "search__query", "checked_until"))
    summary.alerts = len(alerts)
    if not alerts:
        return summary
    since = min(checked for _, _, checked in alerts)
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
        by_query: dict[str, list[tuple[int, datetime]]] = {}
        for pk, query, checked in alerts:
            by_query.setdefault(query, []).append((pk, checked))
        parsed = {query: query_parse(query) for query in by_query}
        vectors = _vectors(embedder, list(arrived)) if embedder is not None else None
        semantic = _semantic(embedder, vectors, parsed) if embedder is not None and vectors else {}
        rows: list[tuple[int, int, float, str, datetime, str]] = []
        with scratch_index(list(arrived)) as kindex:
            for query, holders in by_query.items():
                found = _matches(parsed[query], kindex, semantic.get(query, {}), limit=len(arrived))
                for pk, checked in holders if found else ():
                    rows += [
                        (pk, pid, score, how, now, "")
                        for pid, (score, how) in found.items()
                        if arrived[pid] > checked  # new to this alert
                    ]
                if len(rows) >= WRITE_BATCH:  # written as they come: memory stays flat
                    summary.matches += _write(rows)
                    rows = []
        summary.matches += _write(rows)
    ids = [pk for pk, _, _ in alerts]
    for start in range(0, len(ids), WRITE_BATCH):
        Alert.objects.filter(pk__in=ids[start : start + WRITE_BATCH]).update(checked_until=now)
    return summary


def _write(rows: list[tuple[int, int, float, str, datetime, str]]) -> int:
    with transaction.atomic():
        insert_rows(AlertMatch, MATCH_COLUMNS, rows, ignore_conflicts=True)  # once only
    return len(rows)


Vectors = tuple[np.ndarray, np.ndarray]  # (paper ids, their unit vectors as float32 rows)
Found = dict[int, tuple[float, str]]  # paper id -> (score, how it matched)


def _vectors(embedder: Embedder, paper_ids: list[int]) -> Vectors | None:
    rows = PaperVector.objects.filter(model=embedder.model_name, paper_id__in=paper_ids)
    found = list(rows.values_list("paper_id", "vector"))
    if not found:
        return None
    ids = np.array([pid for pid, _ in found], dtype=np.int64)
    matrix = np.stack([np.frombuffer(bytes(v), dtype=np.float16) for _, v in found])
    return ids, matrix.astype(np.float32)


def _semantic(
    embedder: Embedder, vectors: Vectors, parsed: dict[str, ParsedQuery]
) -> dict[str, dict[int, float]]:
    """query -> {paper id: cosine} of the new papers at least SEMANTIC_FLOOR close to it (the
    query texts embedded in one batched call)."""
    texts = sorted({q.text for q in parsed.values() if q.text})
    if not texts:
        return {}
    ids, matrix = vectors
    cosines = matrix @ embedder.encode_phrases(texts).T  # (papers, texts)
    close: dict[str, dict[int, float]] = {}
    for column, text in enumerate(texts):
        rows = np.flatnonzero(cosines[:, column] >= SEMANTIC_FLOOR)
        close[text] = {int(ids[r]): float(cosines[r, column]) for r in rows}
    return {query: close[q.text] for query, q in parsed.items() if q.text in close}


def _matches(
    parsed: ParsedQuery, kindex: KeywordIndex, close: dict[int, float], *, limit: int
) -> Found:
    """The new papers a query matches: by every word and phrase, or by meaning (`close`: the
    papers near the query's embedding), its filters and exclusions holding either way."""
    found: Found = {}
    query = kindex.every_word_query(parsed)
    if query is None and parsed.has_filters and not parsed.text:
        query = kindex.constraint_query(parsed)  # a filter alone: "cat:cs.CV has:code"
    if query is not None:
        for pid, score in kindex.hits(query, limit=limit):
            found[pid] = (score, AlertMatch.KEYWORD)
    candidates = [pid for pid in close if pid not in found]
    if candidates:
        constraint = kindex.constraint_query(parsed)
        if constraint is not None:
            candidates = sorted(kindex.keep_matching(candidates, constraint))
        for pid in candidates:
            found[pid] = (close[pid], AlertMatch.SEMANTIC)
    return found
