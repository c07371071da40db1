"""Fetch one paper from arXiv by id and store it through the ingest path."""

from __future__ import annotations

from django.conf import settings

from paperfeed.lib.arxiv_api import ArxivApiClient
from paperfeed.lib.arxiv_ids import parse_arxiv_id
from paperfeed.lib.records import PaperRecord, SourceError
from paperfeed.papers.ingest import paper_upsert
from paperfeed.papers.models import Paper


class PaperNotFound(SourceError):
    """arXiv has no paper with this id."""


def paper_fetch(*, id_or_url: str, client: ArxivApiClient | None = None) -> tuple[Paper, str]:
    """Fetch a paper from the arXiv API and store it; return (paper, "new"|"updated"|"unchanged").

    Raises InvalidArxivId for text that is not an id, PaperNotFound when arXiv has no such paper,
    and SourceError when arXiv cannot be reached.
    """
    wanted = parse_arxiv_id(id_or_url)
    client = client or ArxivApiClient(base_url=settings.ARXIV_API_URL, delay=0)
    found = [r for r in client.fetch_ids([wanted.id]) if isinstance(r, PaperRecord)]
    record = next((r for r in found if r.arxiv_id == wanted.id), None)
    if record is None:
        raise PaperNotFound(f"arXiv has no paper {wanted.id}")
    return paper_upsert(record=record)
