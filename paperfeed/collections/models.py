"""Collections: named lists of papers, ordered by hand, with a note per paper.

A collection belongs to its owner, who may name editors (a reading group); it is public (listed
everywhere), unlisted (readable by anyone with its address, never listed) or private (its owner
and editors only). Who may do what is decided here, in `readable_by` and `editable_by`; the
services and selectors ask these, never the views.
"""

from __future__ import annotations

from typing import TypeAlias

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.utils import timezone

from paperfeed.papers.models import Paper

# Whoever a request comes from (accounts.auth.AnyUser; this app sits beside accounts, not on it).
AnyUser: TypeAlias = User | AnonymousUser


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: listed on the site"
    UNLISTED = "unlisted", "Unlisted: anyone with the link"
    PRIVATE = "private", "Private: you and your editors"


class Collection(models.Model):
    MAX_TITLE_LENGTH = 100
    MAX_DESCRIPTION_LENGTH = 2000
    MAX_SLUG_LENGTH = 60

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_collections"
    )
    # The address (/collections/<owner>/<slug>): made from the first title, kept when the title
    # changes, so that shared links keep working.
    slug = models.SlugField(max_length=MAX_SLUG_LENGTH)
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    description = models.TextField(max_length=MAX_DESCRIPTION_LENGTH, blank=True)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CollectionEditor",
        related_name="collections_edited",
        blank=True,
    )
    upvotes = models.PositiveIntegerField(default=0)  # CollectionVote rows, kept by the service
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)  # its items, notes or details

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="collection_owner_slug")
        ]
        # /collections lists public collections by upvotes and by age.
        indexes = [
            models.Index(fields=["visibility", "-upvotes", "-created_at"], name="collection_top"),
            models.Index(fields=["visibility", "-created_at"], name="collection_new"),
        ]

    def __str__(self) -> str:
        return f"{self.owner.get_username()}/{self.slug}"

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE

    def owned_by(self, user: AnyUser | None) -> bool:
        return user is not None and user.is_authenticated and self.owner_id == user.pk

    def editable_by(self, user: AnyUser | None) -> bool:
        """The owner and the editors may add, remove, order and annotate papers."""
        if user is None or not user.is_authenticated:
            return False
        if self.owner_id == user.pk:
            return True
        return CollectionEditor.objects.filter(collection=self, user_id=user.pk).exists()

    def readable_by(self, user: AnyUser | None) -> bool:
        """Public and unlisted collections are readable by anyone who has the address; a
        private one by its owner and editors alone."""
        return not self.is_private or self.editable_by(user)


class CollectionEditor(models.Model):
    """A user the owner named to edit the collection's papers with them."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["collection", "user"], name="collection_editor_once")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} edits collection {self.collection_id}"


class CollectionItem(models.Model):
    """A paper in a collection, at a position (0 first; the service keeps them 0..n-1)."""

    MAX_NOTE_LENGTH = 1000

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField()
    note = models.TextField(max_length=MAX_NOTE_LENGTH, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "paper"], name="collection_item_once")
        ]
        indexes = [models.Index(fields=["collection", "position"], name="collection_item_order")]

    def __str__(self) -> str:
        return f"paper {self.paper_id} at {self.position} in collection {self.collection_id}"


class CollectionVote(models.Model):
    """One user's upvote of one collection; at most one per user and collection."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collection_votes"
    )
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "collection"], name="collection_vote_once")
        ]

    def __str__(self) -> str:
        return f"vote of user {self.user_id} for collection {self.collection_id}"
