"""Writes of community signal."""

from __future__ import annotations

from django.db import transaction

from paperfeed.community.models import Featured
from paperfeed.lib.records import FeaturedRecord


def featured_upsert_batch(
    *, records: list[FeaturedRecord], paper_ids: dict[str, int], source: str
) -> tuple[int, int]:
    """Feature each record's paper on its day (once per paper) and refresh imported counts.

    A paper already featured keeps its first day and submitter; its imported upvote and comment
    counts follow the source. Returns (featured, refreshed).
    """
    by_paper = {paper_ids[r.paper.arxiv_id]: r for r in records if r.paper.arxiv_id in paper_ids}
    featured = refreshed = 0
    with transaction.atomic():
        existing = {f.paper_id: f for f in Featured.objects.filter(paper_id__in=list(by_paper))}
        new = []
        for paper_id, record in by_paper.items():
            row = existing.get(paper_id)
            if row is None:
                new.append(
                    Featured(
                        paper_id=paper_id,
                        featured_on=record.featured_on,
                        submitted_by=record.submitted_by or "",
                        source=source,
                        source_upvotes=max(record.upvotes, 0),
                        source_comments=max(record.num_comments, 0),
                    )
                )
            elif (row.source_upvotes, row.source_comments) != (record.upvotes, record.num_comments):
                row.source_upvotes, row.source_comments = record.upvotes, record.num_comments
                row.save(update_fields=["source_upvotes", "source_comments"])
                refreshed += 1
        Featured.objects.bulk_create(new, ignore_conflicts=True)
        featured = len(new)
    return featured, refreshed
