"""Community signal: papers featured on a day's list, who submitted them, their upvotes."""

from __future__ import annotations

from django.db import models

from paperfeed.papers.models import Paper


class Featured(models.Model):
    """A paper featured on the daily list of `featured_on`. A paper is featured once.

    `source_upvotes` and `source_comments` carry counts imported from another community
    (e.g. Hugging Face Daily Papers); votes cast on this site are kept separately.
    """

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="featured")
    featured_on = models.DateField(db_index=True)
    submitted_by = models.CharField(max_length=200, blank=True, default="")
    source = models.CharField(max_length=20)
    source_upvotes = models.PositiveIntegerField(default=0)
    source_comments = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-featured_on", "-source_upvotes", "id"]
        indexes = [models.Index(fields=["featured_on", "source_upvotes"])]

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id} on {self.featured_on}"
