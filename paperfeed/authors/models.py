"""Claimed authors: an account saying "this author is me", confirmed by staff, and the papers
the claimant says are someone else's ("not me")."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q

from paperfeed.papers.models import Author, Paper

PROFILE_URL_MAX = 500


class Claim(models.Model):
    """An account's claim to be an author (papers.Author, one folded name).

    A claim is pending until a staff member confirms or rejects it in the admin: the catalog
    stores no affiliations and account emails are not verified, so nothing could confirm it
    automatically (docs/authors.md). An author has at most one confirmed claim; a person may
    claim several authors (the variants of their name).
    """

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    STATUSES = [(PENDING, "pending"), (CONFIRMED, "confirmed"), (REJECTED, "rejected")]

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_claims"
    )
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    # Where to read about the person (a homepage, an ORCID record): http(s) only, since it is
    # shown as a link to everyone.
    profile_url = models.URLField(
        max_length=PROFILE_URL_MAX,
        blank=True,
        default="",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "author"], name="claim_user_author"),
            models.UniqueConstraint(
                fields=["author"], condition=Q(status="confirmed"), name="claim_one_confirmed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} claim on {self.author_id} by user {self.user_id}"


class Exclusion(models.Model):
    """A paper taken off a claimed author's page ("not me": another person of the same name).
    The paper stays in the catalog and on every other page."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="exclusions")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "paper"], name="exclusion_claim_paper")
        ]

    def __str__(self) -> str:
        return f"paper {self.paper_id} off claim {self.claim_id}"
