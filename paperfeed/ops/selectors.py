"""Reads that span the site's apps: what the catalog holds, for `paperfeed stats`."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Min

from paperfeed.community.models import Featured
from paperfeed.papers.models import Author, Paper


def catalog_stats() -> dict[str, Any]:
    dates = Paper.objects.aggregate(oldest=Min("published"), newest=Max("published"))
    return {
        "papers": Paper.objects.count(),
        "authors": Author.objects.count(),
        "featured": Featured.objects.count(),
        "oldest_published": dates["oldest"].isoformat() if dates["oldest"] else None,
        "newest_published": dates["newest"].isoformat() if dates["newest"] else None,
    }
