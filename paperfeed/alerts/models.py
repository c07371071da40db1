"""Saved-search alerts: a saved search that reports the new papers matching it."""

from __future__ import annotations

import secrets

from django.db import models

from paperfeed.accounts.models import SavedSearch
from paperfeed.papers.models import Paper


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Alert(models.Model):
    """Alerts on a saved search: papers stored after `checked_until` are matched on the next
    run (by when they arrived here, not by their arXiv date, so a late arrival counts once)."""

    DAILY, WEEKLY = "daily", "weekly"
    FREQUENCIES = [(DAILY, "daily"), (WEEKLY, "weekly")]

    search = models.OneToOneField(SavedSearch, on_delete=models.CASCADE, related_name="alert")
    frequency = models.CharField(max_length=10, choices=FREQUENCIES, default=DAILY)
    by_email = models.BooleanField(default=False)
    by_feed = models.BooleanField(default=True)
    # The private feed's address: /feeds/alerts/<secret>.atom; a new one revokes the old.
    feed_secret = models.CharField(max_length=64, unique=True, default=new_secret)
    checked_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"alert on {self.search}"


class AlertMatch(models.Model):
    """A new paper an alert matched, stored once (the unique pair): a feed lists them, a
    message sends those not yet sent."""

    KEYWORD, SEMANTIC = "keyword", "semantic"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="matches")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    how = models.CharField(max_length=10, default=KEYWORD)
    found_at = models.DateTimeField(db_index=True)
    # The message that carries it ("d<delivery id>"), set when that message is first built, so
    # that a message sent again carries the same matches and no other message carries them.
    sent_in = models.CharField(max_length=20, blank=True, default="", db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "paper"], name="alerts_match_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.paper_id}"
