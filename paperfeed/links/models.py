"""What a paper links to (its code, project page, Hugging Face models, datasets and Spaces,
DOIs), found in its abstract, comments and journal-ref; and the GitHub repositories among them,
with the metadata GitHub reports and a star count per day."""

from __future__ import annotations

from django.db import models

from paperfeed.lib.links import KINDS, SOURCES
from paperfeed.papers.models import Paper


class Repository(models.Model):
    """A GitHub repository some paper links to. `key` is "owner/name" lower-cased, as GitHub
    compares names; `full_name` is how GitHub spells it now (after a rename, the new name)."""

    NEW, OK, GONE, MOVED = "new", "ok", "gone", "moved"
    STATES = [(NEW, "not checked yet"), (OK, "ok"), (GONE, "gone"), (MOVED, "moved")]

    key = models.CharField(max_length=200, unique=True)
    full_name = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=STATES, default=NEW)
    # A rename onto a repository already known under its new name: this row points there.
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True, default="")
    stars = models.PositiveIntegerField(null=True, blank=True)
    forks = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(max_length=100, blank=True, default="")
    license = models.CharField(max_length=200, blank=True, default="")
    pushed_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    etag = models.CharField(max_length=200, blank=True, default="")
    checked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name_plural = "repositories"

    def __str__(self) -> str:
        return self.full_name

    @property
    def url(self) -> str:
        return f"https://github.com/{self.full_name}"


class PaperLink(models.Model):
    """One link of a paper. `primary` marks the paper's own code repository (at most one)."""

    KIND_CHOICES = [(kind, kind) for kind in KINDS]
    SOURCE_CHOICES = [(source, source) for source in SOURCES]

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    url = models.CharField(max_length=500)
    repo = models.CharField(max_length=200, blank=True, default="")  # owner/name
    source = models.CharField(max_length=12, choices=SOURCE_CHOICES)
    primary = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    repository = models.ForeignKey(
        Repository, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "url"], name="links_paperlink_unique"),
        ]
        indexes = [
            # The code badge of a list: a paper's primary repository.
            models.Index(fields=["paper", "primary"], name="links_paper_primary"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.url}"


class StarCount(models.Model):
    """A repository's stars on a day (the last count seen that day): stars gained over a window
    are today's count less the one at its start."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="history")
    day = models.DateField()
    stars = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "day"], name="links_starcount_unique"),
        ]
        indexes = [
            # Stars gained over a window: every count since a day, grouped by repository.
            models.Index(fields=["day", "repository", "stars"], name="links_starcount_day"),
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} {self.day}: {self.stars}"
