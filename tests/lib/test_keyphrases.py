"""Key-phrase candidates, MMR ranking and the central sentence (plain Python and numpy)."""

from __future__ import annotations

import numpy as np

from paperfeed.lib.keyphrases import (
    central_sentence,
    phrase_candidates,
    phrases_rank,
    sentences,
)

TITLE = "Sparse Mixture of Experts for Long-Context Retrieval"
ABSTRACT = (
    "Large language models struggle with long documents. We propose a sparse mixture of "
    "experts that routes each passage to a retrieval expert, e.g. one per topic. Our method "
    "outperforms dense retrieval baselines on three benchmarks. The sparse mixture of experts "
    "keeps the cost of long-context retrieval low, as shown in $O(n \\log n)$ time."
)


def test_candidates_are_runs_of_content_words_without_verbs_numbers_or_math() -> None:
    found = phrase_candidates(TITLE, ABSTRACT)
    assert "Sparse Mixture" in found and "Long-Context Retrieval" in found
    assert "dense retrieval baselines" in found
    lowered = [c.lower() for c in found]
    assert not any(
        word in c.split() for c in lowered for word in ("propose", "outperforms", "three")
    )
    assert not any("log" in c or "$" in c for c in lowered)
    assert "method" not in lowered  # a weak head alone says nothing


def test_a_phrase_from_the_title_or_repeated_comes_before_one_seen_once() -> None:
    found = phrase_candidates(TITLE, ABSTRACT)
    assert found.index("Sparse Mixture") < found.index("dense retrieval baselines")


def test_mmr_prefers_relevant_phrases_that_do_not_repeat_each_other() -> None:
    paper = np.array([1.0, 0.0, 0.0])
    vectors = np.array(
        [
            [0.99, 0.14, 0.0],  # the most relevant
            [0.98, 0.19, 0.0],  # as relevant, but nearly the same as the first
            [0.60, 0.0, 0.80],  # less relevant, and different
            [0.0, 1.0, 0.0],  # unrelated
        ]
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    names = ["a b", "c d", "e f", "i j"]
    assert phrases_rank(names, vectors, paper, top=3) == ["a b", "e f", "c d"]
    assert phrases_rank(names, vectors, paper, top=3, diversity=0.0) == ["a b", "c d", "e f"]


def test_mmr_skips_a_phrase_inside_one_already_picked() -> None:
    paper = np.array([1.0, 0.0])
    vectors = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0], [0.6, 0.8]])
    picked = phrases_rank(["mixture of experts", "experts", "x y", "z w"], vectors, paper)
    assert "experts" not in picked


def test_sentences_do_not_end_at_abbreviations() -> None:
    found = sentences(ABSTRACT)
    assert len(found) == 4
    assert found[1].startswith("We propose") and "e.g. one per topic." in found[1]


def test_the_central_sentence_shares_most_with_the_rest_and_is_quoted_as_is() -> None:
    summary = central_sentence(ABSTRACT)
    assert summary in ABSTRACT
    assert "sparse mixture of experts" in summary.lower()
    assert central_sentence("") == ""
    assert central_sentence("One sentence only, with enough words in it.") == (
        "One sentence only, with enough words in it."
    )
