"""Community signal: papers featured on a day's list, who submitted them, votes and comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from paperfeed.papers.models import Paper


class Featured(models.Model):
    """A paper featured on the daily list of `featured_on`. A paper is featured once.

    `source_upvotes` and `source_comments` carry counts imported from another community
    (e.g. Hugging Face Daily Papers); votes and comments made on this site are rows of their own
    (Vote, Comment). `votes`, `comment_count` and `trend` are derived from those rows and kept
    here so that the daily and trending pages read one row per paper; `community.trending`
    recomputes them whenever a vote or comment changes, and `featured_refresh_all` rebuilds them.
    """

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="featured")
    featured_on = models.DateField(db_index=True)
    submitted_by = models.CharField(max_length=200, blank=True, default="")
    source = models.CharField(max_length=20)
    source_upvotes = models.PositiveIntegerField(default=0)
    source_comments = models.PositiveIntegerField(default=0)
    # The account that submitted the paper on this site (`submitted_by` keeps the name shown).
    submitted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
    )
    votes = models.PositiveIntegerField(default=0)  # local votes (derived)
    comment_count = models.PositiveIntegerField(default=0)  # visible local comments (derived)
    # log of the time-decayed score at a fixed reference time; 0 when the paper has no votes or
    # comments. Ordering by it is ordering by the trending score at any moment (see trending.py).
    trend = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-featured_on", "-source_upvotes", "id"]
        indexes = [
            models.Index(fields=["featured_on", "source_upvotes"]),
            # Trending ranks a window of days by trend without reading the table.
            models.Index(fields=["featured_on", "trend", "paper"], name="featured_day_trend"),
        ]

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id} on {self.featured_on}"

    @property
    def upvotes(self) -> int:
        """Imported upvotes plus votes cast here."""
        return self.source_upvotes + self.votes

    @property
    def comments_total(self) -> int:
        """Imported comments plus visible comments written here."""
        return self.source_comments + self.comment_count


class Vote(models.Model):
    """One user's upvote of one paper (featured or not); at most one per user and paper."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="vote_user_paper")]
        # Recomputing a paper's score reads its vote times; the covering index answers that
        # without touching the table. (user, paper) serves "has this user voted".
        indexes = [models.Index(fields=["paper", "created_at"], name="vote_paper_created")]

    def __str__(self) -> str:
        return f"vote of user {self.user_id} for paper {self.paper_id}"


class Comment(models.Model):
    """A comment on a paper, written in Markdown; `body_html` is its sanitised rendering."""

    MAX_LENGTH = 10_000

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="community_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_paper_created")]
        permissions = [("moderate_comment", "Can hide and unhide comments")]

    def __str__(self) -> str:
        return f"comment {self.pk} on paper {self.paper_id}"
