"""What a person keeps on the site: their library of papers and their saved searches.

People are Django's built-in `auth.User`; nothing here replaces it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperfeed.papers.models import Paper


class LibraryEntry(models.Model):
    """A paper a user saved to their library."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_entries"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="library_entries")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "library entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="library_entry_user_paper")
        ]
        # The library page lists a user's papers newest first.
        indexes = [models.Index(fields=["user", "-added_at"], name="library_user_added")]

    def __str__(self) -> str:
        return f"{self.paper_id} in the library of user {self.user_id}"


class SavedSearch(models.Model):
    """A search query a user named and kept, to run again from their profile."""

    MAX_QUERY_LENGTH = 2000
    MAX_NAME_LENGTH = 100

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=MAX_NAME_LENGTH)
    query = models.TextField(max_length=MAX_QUERY_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "saved searches"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_user_name")
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token (`Authorization: Bearer <token>`). Only a SHA-256 digest of the
    token is stored: the token itself is shown once, when it is created. Tokens are random
    (256 bits), so a fast hash is enough; there is nothing to guess from a leaked digest."""

    MAX_NAME_LENGTH = 100

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=MAX_NAME_LENGTH)
    # The token's first characters, shown on the profile page so that people can tell tokens
    # apart; too short to help anyone guess the rest.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.prefix}… of user {self.user_id}"


class RateCounter(models.Model):
    """Actions counted for one key (a scope and a user, token, address or recipient) in one
    fixed window; see ratelimit.py.

    It lived in the api app until the website needed the same limits (sign-up, comments,
    subscribing); the web and the api sit above accounts, so the counter moved here. Its table
    kept its name, so the move copied no rows (migrations api 0002 and accounts 0003)."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()  # Unix time, a multiple of the window's length
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "api_ratecounter"
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.hits}"
