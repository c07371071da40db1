"""Catalog and community objects turned into the API's payloads (see schemas.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from paperfeed.community.models import Featured
from paperfeed.community.selectors import PaperEntry
from paperfeed.papers.models import Paper


def paper_payload(paper: Paper, *, upvotes: int) -> dict[str, Any]:
    return {
        "id": paper.arxiv_id,
        "title": paper.title,
        "summary": paper.abstract,
        "authors": [{"name": name, "hidden": False} for name in paper.authors],
        "publishedAt": _utc(paper.published),
        "upvotes": upvotes,
        "categories": _categories(paper),
        "arxivUrl": paper.abs_url,
        "pdfUrl": paper.pdf_url,
    }


def paper_detail_payload(
    paper: Paper, *, upvotes: int, comments: int, featured_on: date | None, submitted_by: str
) -> dict[str, Any]:
    featured_at = _day_start(featured_on)
    return {
        **paper_payload(paper, upvotes=upvotes),
        "numComments": comments,
        "submittedOnDailyAt": featured_at,
        "submittedOnDailyBy": submitter_payload(submitted_by) if featured_on else None,
        "version": paper.version,
        "updatedAt": _utc(paper.updated),
        "doi": paper.doi,
        "journalRef": paper.journal_ref,
    }


def entry_payload(entry: PaperEntry, *, score: float | None = None) -> dict[str, Any]:
    """A daily-papers item for a featured (or community-tracked) paper."""
    featured_at = _day_start(entry.featured_on)
    submitter = submitter_payload(entry.submitted_by) if entry.featured_on else None
    return {
        "paper": paper_payload(entry.paper, upvotes=entry.upvotes),
        "title": entry.paper.title,
        "summary": entry.paper.abstract,
        "publishedAt": featured_at or _utc(entry.paper.published),
        "submittedOnDailyAt": featured_at,
        "submittedBy": submitter,
        "submittedOnDailyBy": submitter,
        "numComments": entry.comments,
        "thumbnail": "",
        "mediaUrls": [],
        "score": score,
    }


def hit_payloads(found: list[tuple[Paper, float]]) -> list[dict[str, Any]]:
    """List items for papers found by search or similarity, with the community signal of those
    that were featured (one query for the whole list)."""
    featured = Featured.objects.filter(paper_id__in=[paper.pk for paper, _ in found]).only(
        "paper_id", "featured_on", "submitted_by", "source_upvotes", "votes",
        "source_comments", "comment_count",
    )  # fmt: skip
    by_paper = {row.paper_id: row for row in featured}
    items = []
    for paper, score in found:
        row = by_paper.get(paper.pk)
        entry = PaperEntry(
            paper=paper,
            featured_on=row.featured_on if row else None,
            submitted_by=row.submitted_by if row else "",
            upvotes=row.upvotes if row else 0,
            comments=row.comments_total if row else 0,
            score=score,
            voted=False,
        )
        items.append(entry_payload(entry, score=score))
    return items


def submitter_payload(name: str) -> dict[str, str] | None:
    if not name:
        return None
    return {"user": name, "name": name, "fullname": name, "avatarUrl": "", "type": "user"}


def _categories(paper: Paper) -> list[str]:
    cats = paper.category_list
    primary = paper.primary_category
    if primary and primary in cats:
        cats = [primary, *[c for c in cats if c != primary]]
    return cats


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None
