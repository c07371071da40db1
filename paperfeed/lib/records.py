"""The record every source produces and the ingest path consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class Version:
    """One arXiv version of a paper: v1, v2, ... with the date it was submitted."""

    number: int
    created: datetime | None = None
    size: str | None = None


@dataclass(slots=True)
class PaperRecord:
    """A paper as a source describes it, before it is stored.

    Text fields hold the source's raw text (LaTeX and all); the ingest path derives the clean
    Unicode forms. A field a source does not provide is None (or empty), and the ingest path keeps
    what is already stored for it.
    """

    arxiv_id: str  # canonical: no version, old-style ids without subject class ("hep-th/9901001")
    title: str
    source: str  # "kaggle", "oai", "arxiv-api", "hf-daily", "hf-featured", "submit"
    abstract: str = ""
    authors: list[str] = field(default_factory=list)  # raw names, in order
    categories: list[str] = field(default_factory=list)  # primary first
    version: int | None = None  # latest version number known to the source
    versions: list[Version] = field(default_factory=list)
    published: datetime | None = None  # first version
    updated: datetime | None = None  # latest version or metadata update
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    report_no: str | None = None
    license: str | None = None
    submitter: str | None = None

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None


@dataclass(slots=True)
class FeaturedRecord:
    """A paper featured on a community's daily list (e.g. Hugging Face Daily Papers)."""

    paper: PaperRecord
    featured_on: date
    submitted_by: str | None = None  # the community member's handle or name
    upvotes: int = 0
    num_comments: int = 0


@dataclass(slots=True)
class RejectedRecord:
    """A record a reader could not turn into a PaperRecord; reported and skipped."""

    location: str  # "line 17", "record 3", "entry 2 of page start=100"
    reason: str


class SourceError(Exception):
    """A whole source failed (unreadable file, HTTP failure after retries, protocol error)."""
