"""The model itself, as plain functions over real vectors from the shared sample."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from paperfeed.recommend.bibtex import ids_from_bibtex, ids_from_text
from paperfeed.recommend.training import (
    DEFAULT,
    background_fit,
    model_score,
    model_train,
    models_score,
    nearest_anchor,
    top_k,
)
from tests.recommend.conftest import reference_matrix


@cache
def vectors() -> np.ndarray:
    _, matrix = reference_matrix()
    return np.asarray(matrix[:3000], dtype=np.float32)


@cache
def background():  # type: ignore[no-untyped-def]
    return background_fit(vectors()[1000:3000])


def test_no_papers_train_an_empty_model() -> None:
    model = model_train(positives=np.zeros((0, 384)), background=background())
    assert model.kind == "empty"
    assert not model_score(model, vectors()[:10]).any()


@pytest.mark.parametrize("size", [1, 2])
def test_one_or_two_papers_use_their_nearest_neighbours(size: int) -> None:
    library = vectors()[:size]
    model = model_train(positives=library, background=background())
    assert model.kind == "neighbours"
    candidates = vectors()[100:600]
    expected = (candidates @ library.T).max(axis=1)
    assert np.allclose(model_score(model, candidates), expected, atol=1e-5)


def test_three_papers_train_a_classifier_that_prefers_their_subject() -> None:
    library = vectors()[:3]
    model = model_train(positives=library, background=background())
    assert model.kind == "learned" and model.mix == DEFAULT.mix
    assert np.isclose(np.linalg.norm(model.weights), 1.0, atol=1e-4)
    # Papers close to the library score above papers far from it.
    candidates = vectors()[100:1000]
    closeness = candidates @ library.mean(axis=0)
    scores = model_score(model, candidates)
    near, far = np.argsort(-closeness)[:20], np.argsort(closeness)[:20]
    assert scores[near].mean() > scores[far].mean() + 1.0


def test_dismissed_papers_pull_the_model_away_from_them() -> None:
    library, dismissed = vectors()[:5], vectors()[5:10]
    plain = model_train(positives=library, background=background())
    taught = model_train(positives=library, background=background(), dismissed=dismissed)
    assert (dismissed @ taught.weights).mean() < (dismissed @ plain.weights).mean()


def test_scoring_readers_together_equals_scoring_each() -> None:
    models = [
        model_train(positives=vectors()[i : i + n], background=background())
        for i, n in [(0, 0), (10, 1), (20, 2), (30, 5), (40, 9)]
    ]
    candidates = vectors()[500:900]
    together = models_score(models, candidates)
    for row, model in zip(together, models, strict=True):
        assert np.allclose(row, model_score(model, candidates), atol=1e-5)


def test_reasons_name_the_nearest_library_paper() -> None:
    library = vectors()[:4]
    model = model_train(positives=library, background=background())
    index, similarity = nearest_anchor(model, library[[2, 0]])
    assert index.tolist() == [2, 0] and np.allclose(similarity, 1.0, atol=1e-3)


def test_top_k_orders_best_first_and_breaks_ties_by_position() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.9, -1.0], dtype=np.float32)
    assert top_k(scores, 3).tolist() == [1, 3, 2]
    assert top_k(scores, 0).tolist() == [] and len(top_k(scores, 10)) == 5


def test_bibtex_broken_entries_are_reported_and_the_rest_kept() -> None:
    text = "\n".join([
        "@article{a, title={A}, eprint={2401.12345}, archivePrefix={arXiv}}",
        "@misc{b, title={B}, url={https://arxiv.org/abs/2402.00001v2}",  # unclosed
        "@misc{c, note={arXiv preprint arXiv:2403.00002}}",
        "@article{c, title={Same key again}}",
        "@inproceedings{d, title={D}, doi={10.1016/j.x.2012.12345}}",  # a journal DOI, no id
        "@misc{e, arxiv={hep-th/9901001v2}}",
        "@misc{f, doi={10.48550/arXiv.2404.00003}}",
        "@misc{g, url={https://arxiv.org/pdf/2405.00004v3.pdf}, eprint={not an id}}",
        "@misc{h, eprint={2401.12345}}",  # the same paper twice: kept once
    ])  # fmt: skip
    found = ids_from_bibtex(text)
    assert found.ids == ["2401.12345", "2403.00002", "hep-th/9901001", "2404.00003",
                         "2405.00004"]  # fmt: skip
    assert [p.split(":")[0] for p in found.problems] == ["line 2", "line 4", "line 5"]
    assert "cannot be read" in found.problems[0] and "same key" in found.problems[1]
    assert found.problems[2] == "line 5: d has no arXiv id"


def test_a_pasted_list_of_ids_and_urls() -> None:
    found = ids_from_text("2401.12345v3, https://arxiv.org/abs/2402.00001\n\nnope arXiv:2401.12345")
    assert found.ids == ["2401.12345", "2402.00001"]
    assert found.problems == ["“nope” is not an arXiv id or URL"]
    assert ids_from_bibtex("").ids == [] and ids_from_text("").ids == []
