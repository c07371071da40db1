"""Catalog and community objects turned into the API's payloads (see schemas.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from paperfeed.community.selectors import PaperEntry, paper_entries
from paperfeed.links.selectors import Code, code_badges, paper_links, project_pages
from paperfeed.papers.models import Paper
from paperfeed.search.selectors import paper_summaries, paper_summary

EXTRA_FIELDS = ("githubRepo", "githubStars", "projectPage", "ai_keywords", "ai_summary")


@dataclass(frozen=True)
class Extras:
    """What a paper object carries in Hugging Face's fields beyond the catalog: its code, its
    project page, its key phrases and extracted summary."""

    code: Code | None = None
    project: str = ""
    keywords: list[str] | None = None
    summary: str = ""

    def payload(self) -> dict[str, Any]:
        code = self.code if self.code is not None and not self.code.gone else None
        return {
            "githubRepo": code.url if code else None,
            "githubStars": code.stars if code else None,
            "projectPage": self.project or None,
            "ai_keywords": self.keywords,
            "ai_summary": self.summary or None,
        }


def extras_for(paper_ids: list[int], *, code: dict[int, Code] | None = None) -> dict[int, Extras]:
    """The extras of a list of papers: three queries whatever its length (two when the code
    badges came with the list)."""
    code = code_badges(paper_ids) if code is None else code
    projects = project_pages(paper_ids)
    summaries = paper_summaries(paper_ids)
    return {
        pid: Extras(
            code=code.get(pid),
            project=projects.get(pid, ""),
            keywords=summaries[pid].keywords if pid in summaries else None,
            summary=summaries[pid].summary if pid in summaries else "",
        )
        for pid in paper_ids
    }


def paper_extras(paper: Paper) -> Extras:
    links = paper_links(paper.pk)
    described = paper_summary(paper.pk)
    return Extras(
        code=links.own,
        project=links.projects[0] if links.projects else "",
        keywords=described.keywords if described else None,
        summary=described.summary if described else "",
    )


def paper_payload(paper: Paper, *, upvotes: int, extras: Extras | None = None) -> dict[str, Any]:
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
        **(extras or Extras()).payload(),
    }


def paper_detail_payload(
    paper: Paper, *, upvotes: int, comments: int, featured_on: date | None, submitted_by: str
) -> dict[str, Any]:
    featured_at = _day_start(featured_on)
    return {
        **paper_payload(paper, upvotes=upvotes, extras=paper_extras(paper)),
        "numComments": comments,
        "submittedOnDailyAt": featured_at,
        "submittedOnDailyBy": submitter_payload(submitted_by) if featured_on else None,
        "version": paper.version,
        "updatedAt": _utc(paper.updated),
        "doi": paper.doi,
        "journalRef": paper.journal_ref,
    }


def entry_payloads(entries: list[PaperEntry], *, scores: bool = False) -> list[dict[str, Any]]:
    """Daily-papers items for a list of entries (their code badges came with them)."""
    ids = [entry.paper.pk for entry in entries]
    code = {entry.paper.pk: entry.code for entry in entries if entry.code is not None}
    extras = extras_for(ids, code=code)
    return [
        entry_payload(entry, score=entry.score if scores else None, extras=extras[entry.paper.pk])
        for entry in entries
    ]


def entry_payload(
    entry: PaperEntry, *, score: float | None = None, extras: Extras | None = None
) -> dict[str, Any]:
    """A daily-papers item for a featured (or community-tracked) paper. Hugging Face's extra
    fields stand in the `paper` object, and again on the item, where huggingface_hub's
    PaperInfo looks for them in a list."""
    featured_at = _day_start(entry.featured_on)
    submitter = submitter_payload(entry.submitted_by) if entry.featured_on else None
    paper = paper_payload(entry.paper, upvotes=entry.upvotes, extras=extras)
    return {
        "paper": paper,
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
        **{key: paper[key] for key in EXTRA_FIELDS},
    }


def hit_payloads(found: list[tuple[Paper, float]]) -> list[dict[str, Any]]:
    """List items for papers found by search or similarity, with the community signal of those
    that were featured (a fixed number of queries for the whole list)."""
    entries = paper_entries([(paper, score) for paper, score in found])
    return entry_payloads(entries, scores=True)


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
