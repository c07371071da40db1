"""Real papers from the shared arXiv sample, stored through the ingest path, with the embedding
model's reference vectors for them (what `paperfeed index` would have computed)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User

from paperfeed.lib.records import PaperRecord
from paperfeed.lib.snapshot import read_snapshot
from paperfeed.papers.ingest import papers_upsert_batch
from paperfeed.papers.models import Paper
from paperfeed.recommend.selectors import recommend_caches_clear
from paperfeed.search.embedding import DEFAULT_MODEL, paper_text
from paperfeed.search.indexing import text_hash, vectors_store
from tests.community.factories import make_user, user
from tests.support import SHARED_DATA

__all__ = ["make_user", "user"]  # fixtures
ARXIV = SHARED_DATA / "arxiv"
CATALOG_SIZE = 240


@cache
def sample_records(count: int = CATALOG_SIZE) -> tuple[PaperRecord, ...]:
    records = (r for r in read_snapshot(ARXIV / "arxiv-sample-75k.jsonl.gz"))
    return tuple(itertools.islice((r for r in records if isinstance(r, PaperRecord)), count))


@cache
def reference_matrix() -> tuple[dict[str, int], np.ndarray]:
    ids = (ARXIV / "arxiv-sample-75k.ids.txt").read_text().split()
    matrix = np.load(ARXIV / "arxiv-sample-75k.minilm-l6-v2.f16.npy", mmap_mode="r")
    return {arxiv_id: i for i, arxiv_id in enumerate(ids)}, matrix


def reference_vector(paper: Paper) -> np.ndarray:
    rows, matrix = reference_matrix()
    return np.asarray(matrix[rows[paper.arxiv_id]], dtype=np.float32)


def store_vectors(papers: list[Paper]) -> None:
    vectors_store(
        model=DEFAULT_MODEL,
        pids=[p.id for p in papers],
        vectors=np.stack([reference_vector(p) for p in papers]),
        hashes=[text_hash(paper_text(p.title, p.abstract)) for p in papers],
    )


@pytest.fixture(autouse=True)
def no_arxiv(settings: Any) -> None:
    """Imports never reach arXiv unless a test points them at a replay server."""
    settings.RECOMMEND_IMPORT_FETCH = 0


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    recommend_caches_clear()
    yield
    recommend_caches_clear()


@pytest.fixture
def catalog(db: None) -> list[Paper]:
    """240 real papers (cs.CV mostly, listed 18-19 March 2025), each with its vector."""
    papers_upsert_batch(records=list(sample_records()))
    papers = list(Paper.objects.order_by("id"))
    store_vectors(papers)
    return papers


@pytest.fixture
def reader(make_user: Callable[..., User]) -> Callable[..., User]:
    """A user whose library holds the given papers."""
    from paperfeed.accounts.services import library_set

    def make(papers: list[Paper], name: str = "") -> User:
        person = make_user(name)
        for paper in papers:
            library_set(user=person, paper=paper, on=True)
        return person

    return make


def by_title(papers: list[Paper], word: str) -> list[Paper]:
    return [p for p in papers if word.lower() in p.title.lower()]
