"""What a reader told us (interests, dismissals) and what was learned from it (ReaderModel)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperfeed.papers.models import Paper


class Interest(models.Model):
    """A category a reader picked or an author they follow: the cold-start signal, used until
    their library holds papers."""

    CATEGORY = "category"
    AUTHOR = "author"
    KINDS = [(CATEGORY, "category"), (AUTHOR, "author")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests"
    )
    kind = models.CharField(max_length=10, choices=KINDS)
    # A category code ("cs.LG") or an author key (paperfeed.lib.names.author_key).
    value = models.CharField(max_length=300)
    label = models.CharField(max_length=300)  # what the page shows: the code, or the name
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "value"], name="interest_user_value")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.label} of user {self.user_id}"


class Dismissal(models.Model):
    """A paper the reader said they are not interested in: never shown again, and a negative
    example for their model."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dismissals"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="dismissals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="dismissal_user_paper")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} dismissed by user {self.user_id}"


class ReaderModel(models.Model):
    """A reader's trained model, kept so that pages and digests score papers without training.

    It is stale once the reader's library, votes, dismissals or interests change (signals.py);
    the next read retrains it. `weights` is a float32 vector over the embedding and
    `anchors` the float16 vectors of the positives (for the nearest-neighbour part of the score and
    the one-line reasons), `anchor_ids` their paper ids in the same order.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_model"
    )
    kind = models.CharField(max_length=20)  # learned, neighbours, interests or empty
    embedding_model = models.CharField(max_length=200)
    weights = models.BinaryField(default=b"")
    bias = models.FloatField(default=0.0)
    mix = models.FloatField(default=0.0)
    anchors = models.BinaryField(default=b"")
    anchor_ids = models.JSONField(default=list)
    missing = models.PositiveIntegerField(default=0)  # positives that had no vector yet
    # When the training read the reader's signal, and when the signal last changed: a change
    # made while a model trains leaves it stale, so no change is ever lost.
    trained_at = models.DateTimeField()
    signal_changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} model of user {self.user_id}"

    @property
    def stale(self) -> bool:
        return self.signal_changed_at is not None and self.signal_changed_at >= self.trained_at
