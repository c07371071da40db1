"""Reads of community signal that several callers share."""

from __future__ import annotations

from django.db.models import QuerySet

from paperfeed.community.models import Featured


def featured_top(*, limit: int) -> QuerySet[Featured]:
    """The most upvoted featured papers of the latest featured day... of all time for now."""
    return Featured.objects.select_related("paper").order_by("-source_upvotes", "-featured_on")[
        :limit
    ]
