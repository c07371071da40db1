"""Similar papers: the neighbours in the vector index, cached per model and index version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from paperfeed.papers.ingest import paper_upsert
from paperfeed.papers.models import Paper
from paperfeed.search.engine import engine, engine_reset
from paperfeed.search.indexing import keyword_sync, vectors_root
from paperfeed.search.selectors import papers_similar
from paperfeed.search.vectors import vectors_publish
from tests.papers.factories import record

pytestmark = pytest.mark.django_db

# Four papers in four dimensions: from A, B is nearest, then C; D is unrelated.
NEAR: dict[str, list[float]] = {
    "A": [1, 0, 0, 0],
    "B": [0.9, 0.1, 0, 0],
    "C": [0.7, 0.7, 0, 0],
    "D": [0, 0, 1, 0],
}


@pytest.fixture
def papers() -> dict[str, Paper]:
    return {
        name: paper_upsert(record=record(f"2401.0000{n}", title=f"Paper {name}"))[0]
        for n, name in enumerate(NEAR, start=1)
    }


def publish(papers: dict[str, Paper], vectors: dict[str, list[float]], model: str = "") -> None:
    """A new version of the model's vector index holding these papers' vectors."""
    model = model or engine().model
    keys = np.array([papers[name].pk for name in vectors], dtype=np.uint64)
    matrix = np.array(list(vectors.values()), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    vectors_publish(vectors_root(model), model=model, keys=keys, vectors=matrix)


def similar(paper: Paper, limit: int = 3) -> list[str]:
    return [s.paper.title.removeprefix("Paper ") for s in papers_similar(paper=paper, limit=limit)]


def counting(monkeypatch: pytest.MonkeyPatch, index: Any) -> Callable[[], int]:
    """How many times `index` (the live vector or keyword index) has been searched from now."""
    calls = []
    search = index.search

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return search(*args, **kwargs)

    monkeypatch.setattr(index, "search", counted)
    return lambda: len(calls)


def test_the_neighbours_are_searched_once_per_paper_and_version(
    papers: dict[str, Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(papers, NEAR)
    searches = counting(monkeypatch, engine().vectors)
    assert similar(papers["A"]) == ["B", "C", "D"]
    assert similar(papers["A"]) == ["B", "C", "D"]
    assert searches() == 1  # the second answer came from the cache
    assert similar(papers["A"], limit=1) == ["B"]
    assert similar(papers["B"], limit=1) == ["A"]
    assert searches() == 3  # another length, another paper: their own answers


def test_a_new_index_version_gives_a_fresh_answer(papers: dict[str, Paper]) -> None:
    publish(papers, NEAR)
    assert similar(papers["A"]) == ["B", "C", "D"]
    publish(papers, {"C": [1, 0.01, 0, 0]})  # `paperfeed index` re-embedded C: next to A now
    assert similar(papers["A"]) == ["C", "B", "D"]


def test_another_model_has_its_own_answer(papers: dict[str, Paper], settings: Any) -> None:
    publish(papers, NEAR)
    assert similar(papers["A"], limit=1) == ["B"]
    settings.EMBEDDING_MODEL = "another-model"
    engine_reset()
    publish(papers, {**NEAR, "D": [1, 0, 0.01, 0]})  # the same version number, its own vectors
    assert engine().vectors.version == 1
    assert similar(papers["A"], limit=1) == ["D"]


def test_the_papers_themselves_are_read_each_time(papers: dict[str, Paper]) -> None:
    publish(papers, NEAR)
    assert similar(papers["A"]) == ["B", "C", "D"]
    Paper.objects.filter(pk=papers["B"].pk).update(title="Paper B, revised")
    papers["C"].delete()
    assert similar(papers["A"]) == ["B, revised", "D"]  # the cached ids, the rows of now


def test_a_paper_without_a_vector_is_answered_by_words_each_time(
    papers: dict[str, Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(papers, {name: vector for name, vector in NEAR.items() if name != "A"})
    keyword_sync(rebuild=True)
    searches = counting(monkeypatch, engine().keyword)
    assert set(similar(papers["A"])) == {"B", "C", "D"}  # "Paper" in every title
    assert set(similar(papers["A"])) == {"B", "C", "D"}
    # Not kept: the keyword index changes apart from the vector index's version.
    assert searches() == 2
