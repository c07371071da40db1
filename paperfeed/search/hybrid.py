"""Reciprocal-rank fusion of ranked lists (Cormack, Clarke and Büttcher, SIGIR 2009).

Each list contributes weight / (k + rank) to every paper it holds, rank counted from 1. RRF uses
ranks, not scores, so BM25 scores (unbounded) and cosine similarities (−1…1) need no calibration
against each other; k = 60 is the value from the paper, which damps the difference between the
very first ranks so that a paper both lists agree on beats one that only a single list puts first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DEFAULT_K = 60
Ranking = Sequence[int] | Mapping[int, int]  # ids best first, or id -> rank (from 1)


def rrf_fuse(
    rankings: Sequence[tuple[Ranking, float]], *, k: int = DEFAULT_K
) -> list[tuple[int, float]]:
    """Fuse (ranking, weight) pairs into (id, fused score), best first.

    A ranking is a list of ids, best first, or a mapping of id to rank (which lets a caller give
    a paper a stand-in rank in a list it could not be ranked in). Ties are broken by the best rank
    a paper reached in any list, then by id, so the order is deterministic.
    """
    scores: dict[int, float] = {}
    best: dict[int, int] = {}
    for ranking, weight in rankings:
        if weight <= 0:
            continue
        if isinstance(ranking, Mapping):
            ranks = ranking
        else:
            ranks = {pid: rank for rank, pid in enumerate(ranking, start=1)}
        for pid, rank in ranks.items():
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
            if rank < best.get(pid, 1 << 30):
                best[pid] = rank
    return sorted(scores.items(), key=lambda item: (-item[1], best[item[0]], item[0]))
