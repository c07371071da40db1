"""Reciprocal-rank fusion."""

from __future__ import annotations

import pytest

from paperfeed.search.hybrid import rrf_fuse


def test_a_paper_both_lists_agree_on_beats_one_list_topping_it() -> None:
    fused = rrf_fuse([([1, 2, 3], 1.0), ([4, 2, 5], 1.0)])
    assert fused[0][0] == 2
    assert fused[0][1] == pytest.approx(2 / 62)


def test_scores_follow_the_formula_with_weights() -> None:
    fused = dict(rrf_fuse([([10, 11], 2.0), ([11], 0.5)], k=10))
    assert fused[10] == pytest.approx(2.0 / 11)
    assert fused[11] == pytest.approx(2.0 / 12 + 0.5 / 11)


def test_a_zero_weight_list_is_ignored() -> None:
    assert [pid for pid, _ in rrf_fuse([([1, 2], 0.0), ([3, 4], 1.0)])] == [3, 4]


def test_ties_break_by_best_rank_then_id() -> None:
    fused = rrf_fuse([([7, 8], 1.0), ([8, 7], 1.0), ([9], 1.0)])
    assert [pid for pid, _ in fused] == [7, 8, 9]  # 7 and 8 tie; both reached rank 1; 7 < 8


def test_empty_lists_fuse_to_nothing() -> None:
    assert rrf_fuse([([], 1.0), ([], 1.0)]) == []


def test_a_ranking_may_give_explicit_ranks() -> None:
    fused = dict(rrf_fuse([([1, 2], 1.0), ({2: 1, 1: 3}, 1.0)], k=10))
    assert fused[1] == pytest.approx(1 / 11 + 1 / 13)
    assert fused[2] == pytest.approx(1 / 12 + 1 / 11)
