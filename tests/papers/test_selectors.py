"""Catalog reads shared by pages, the API and the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.http import Http404

from paperfeed.papers.ingest import paper_upsert
from paperfeed.papers.selectors import author_get, author_papers, paper_get_or_404
from tests.papers.factories import record

pytestmark = pytest.mark.django_db


def test_an_author_is_found_by_any_spelling_and_lists_their_papers_newest_first() -> None:
    for n, (day, authors) in enumerate([(3, ["Émile Borel"]), (9, ["Emile Borel", "A. Turing"]),
                                        (5, ["Alan Turing"])], start=1):  # fmt: skip
        paper_upsert(record=record(f"2401.0000{n}", authors=authors,
                                   published=datetime(2024, 1, day, tzinfo=UTC)))  # fmt: skip
    author = author_get(name="emile  BOREL")
    assert author is not None
    assert [p.arxiv_id for p in author_papers(author=author)] == ["2401.00002", "2401.00001"]
    assert author_get(name="Nobody Here") is None
    assert author_get(name="  ") is None


def test_paper_get_or_404_finds_any_form_of_the_id_and_says_what_is_missing() -> None:
    paper, _ = paper_upsert(record=record("2401.00001"))
    assert paper_get_or_404("arXiv:2401.00001v2") == paper
    with pytest.raises(Http404, match=r"^arXiv:2401.99999 is not in this catalog\. Submit it"):
        paper_get_or_404("2401.99999")
    with pytest.raises(Http404, match="^no such paper: not-an-id$"):
        paper_get_or_404("not-an-id", message=lambda arxiv_id: f"no such paper: {arxiv_id}")
