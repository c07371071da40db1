"""Stored embeddings: one vector per (paper, model), so that rebuilding an index never re-embeds."""

from __future__ import annotations

from django.db import models

from paperfeed.papers.models import Paper


class PaperVector(models.Model):
    """A paper's embedding by one model, as float16 bytes, with a hash of the text it embeds.

    The hash lets `paperfeed index` skip papers whose title and abstract did not change when
    something else about them did (a new journal reference, a new version with the same text).
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="vectors")
    model = models.CharField(max_length=200)
    vector = models.BinaryField()
    text_hash = models.CharField(max_length=32)
    embedded_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "paper"], name="papervector_model_paper")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} · {self.model}"


class PaperSummary(models.Model):
    """A paper's key phrases (ranked by the embedding model against the paper's own vector) and
    its most central sentence, extracted as written: both computed by `paperfeed index` for new
    and changed papers, with the hash of the text they were computed from."""

    paper = models.OneToOneField(
        Paper, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    keywords = models.JSONField(default=list)
    summary = models.TextField(blank=True, default="")
    text_hash = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.paper_id}: {', '.join(self.keywords)}"
