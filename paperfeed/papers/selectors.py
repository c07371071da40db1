"""Reads of the catalog that several callers share."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import Http404

from paperfeed.lib.arxiv_ids import InvalidArxivId, normalize_arxiv_id
from paperfeed.lib.names import author_key
from paperfeed.papers.models import Author, Paper


def paper_get(*, arxiv_id: str) -> Paper | None:
    """The stored paper for any accepted form of its id (versioned, URL, ...), or None."""
    try:
        canonical = normalize_arxiv_id(arxiv_id)
    except InvalidArxivId:
        return None
    return Paper.objects.filter(arxiv_id=canonical).first()


def not_in_catalog(arxiv_id: str) -> str:
    """What the pages say about a paper the catalog lacks (the API names its own endpoint)."""
    return f"arXiv:{arxiv_id} is not in this catalog. Submit it to fetch it from arXiv."


def paper_get_or_404(arxiv_id: str, *, message: Callable[[str], str] = not_in_catalog) -> Paper:
    """The stored paper for any accepted form of its id (see paper_get); Http404 with
    `message(arxiv_id)` when the catalog lacks it. The pages answer it with their 404 page, the
    API with a problem+json 404 (api/main.py)."""
    paper = paper_get(arxiv_id=arxiv_id)
    if paper is None:
        raise Http404(message(arxiv_id))
    return paper


def author_get(*, name: str) -> Author | None:
    """The author whose name has this key (any spelling, accents and order of initials aside)."""
    key = author_key(name)
    return Author.objects.filter(key=key).first() if key else None


def author_papers(*, author: Author) -> QuerySet[Paper]:
    """The author's papers, newest first, without the raw texts and version history."""
    return (
        Paper.objects.filter(authorships__author=author)
        .defer("title_raw", "abstract_raw", "authors_raw", "versions")
        .order_by("-published", "-id")
    )
