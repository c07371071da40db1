"""Key phrases and the extracted one-line summary of papers, with the embedding model that is
already loaded for search (paperfeed.lib.keyphrases holds the text rules and the ranking)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paperfeed.lib.keyphrases import central_sentence, phrase_candidates, phrases_rank
from paperfeed.search.embedding import Embedder

CANDIDATES = 20  # per paper: encoding them is most of the cost


@dataclass(frozen=True)
class Described:
    keywords: list[str]
    summary: str


def papers_describe(
    embedder: Embedder,
    papers: Sequence[tuple[str, str]],
    vectors: np.ndarray,
) -> list[Described]:
    """Key phrases and summary of each (title, abstract), given the papers' own unit vectors
    (row i for paper i). Every paper's candidates are encoded in one call."""
    candidates = [
        phrase_candidates(title, abstract, limit=CANDIDATES) for title, abstract in papers
    ]
    flat = [phrase for found in candidates for phrase in found]
    encoded = embedder.encode_phrases(flat) if flat else np.empty((0, embedder.dim))
    described = []
    start = 0
    for i, found in enumerate(candidates):
        rows = encoded[start : start + len(found)]
        start += len(found)
        described.append(
            Described(
                keywords=phrases_rank(found, rows, vectors[i]),
                summary=central_sentence(papers[i][1]),
            )
        )
    return described
