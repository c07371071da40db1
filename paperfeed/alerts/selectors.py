"""Reads: a reader's alerts by saved search, an alert's private feed, its matches."""

from __future__ import annotations

from django.db.models import QuerySet

from paperfeed.accounts.auth import AnyUser
from paperfeed.alerts.models import Alert, AlertMatch


def alerts_by_search(*, user: AnyUser | None) -> dict[int, Alert]:
    """The reader's alerts, keyed by their saved search's id (one query)."""
    if user is None or not user.is_authenticated:
        return {}
    return {a.search_id: a for a in Alert.objects.filter(search__user=user)}


def alert_by_secret(secret: str) -> Alert | None:
    """The alert whose private feed this is; None for an unknown or revoked address, or an
    alert delivered by email only."""
    if not secret or len(secret) > 64:
        return None
    return Alert.objects.select_related("search").filter(feed_secret=secret, by_feed=True).first()


def alert_matches(alert: Alert, *, limit: int = 50) -> QuerySet[AlertMatch]:
    """The alert's matches, newest first, with their papers."""
    return (
        AlertMatch.objects.filter(alert=alert)
        .select_related("paper")
        .order_by("-found_at", "-score", "-id")[:limit]
    )
