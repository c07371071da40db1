"""Key phrases and the extracted summary, computed by `paperfeed index` with the real model
from the papers' stored vectors, for new and changed papers only."""

from __future__ import annotations

import pytest

from paperfeed.papers.ingest import paper_upsert
from paperfeed.search.models import PaperSummary
from tests.search.test_indexing import index, reference_vectors, sample, store

pytestmark = pytest.mark.django_db


def test_index_describes_new_papers_then_only_changed_ones() -> None:
    papers = store(sample(12, skip=3000))
    reference_vectors(papers)
    out = index()
    assert "12 papers described" in out
    for paper in papers:
        summary = PaperSummary.objects.get(paper=paper)
        assert 3 <= len(summary.keywords) <= 6, (paper.title, summary.keywords)
        text = f"{paper.title} {paper.abstract}".lower()
        assert all(phrase.lower() in " ".join(text.split()) for phrase in summary.keywords)
        assert summary.summary and summary.summary in " ".join(paper.abstract.split())
    assert "0 papers described" in index()

    changed = sample(1, skip=3000)[0]
    changed.abstract = (
        "We study protein folding in yeast with cryo-electron microscopy. Folding intermediates "
        "of yeast proteins are resolved at atomic detail. Protein folding pathways in yeast "
        "differ from those in bacteria."
    )
    changed.version = (changed.version or 1) + 1
    paper_upsert(record=changed)
    assert "1 papers described" in index()
    summary = PaperSummary.objects.get(paper=papers[0])
    assert any("fold" in phrase.lower() or "yeast" in phrase.lower() for phrase in summary.keywords)
    assert "yeast" in summary.summary.lower()
