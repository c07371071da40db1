"""Reciprocal-rank fusion."""

from __future__ import annotations

import pytest

from paperfeed.search.hybrid import rrf_fuse, zscore_fuse


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


def test_zscore_fusion_rewards_agreement_and_keeps_a_clear_winner() -> None:
    bm25 = {1: 30.0, 2: 12.0, 3: 11.0, 4: 0.0}
    cosine = {1: 0.20, 2: 0.61, 3: 0.60, 4: 0.59}
    fused = [pid for pid, _ in zscore_fuse([(bm25, 1.0), (cosine, 1.0)])]
    # 1 is far ahead on keywords and far behind on meaning; 2 is good on both.
    assert fused[0] == 2
    assert set(fused) == {1, 2, 3, 4}


def test_zscore_fusion_is_blind_to_the_scale_of_each_score() -> None:
    bm25 = {1: 3.0, 2: 2.0, 3: 1.0}
    cosine = {1: 0.1, 2: 0.3, 3: 0.2}
    once = zscore_fuse([(bm25, 1.0), (cosine, 1.0)])
    scaled = zscore_fuse([({k: v * 1000 for k, v in bm25.items()}, 1.0), (cosine, 1.0)])
    assert [p for p, _ in once] == [p for p, _ in scaled]


def test_zscore_fusion_weights_and_zero_weight() -> None:
    bm25 = {1: 3.0, 2: 1.0}
    cosine = {1: 0.1, 2: 0.9}
    assert [p for p, _ in zscore_fuse([(bm25, 3.0), (cosine, 1.0)])] == [1, 2]
    assert [p for p, _ in zscore_fuse([(bm25, 1.0), (cosine, 3.0)])] == [2, 1]
    assert [p for p, _ in zscore_fuse([(bm25, 0.0), (cosine, 1.0)])] == [2, 1]
    assert zscore_fuse([(bm25, 0.0), (cosine, 0.0)]) == []


def test_zscore_fusion_gives_a_missing_score_the_candidates_own_standing() -> None:
    # Paper 3 has no cosine (not embedded yet): it is judged by its keyword z-score alone.
    bm25 = {1: 1.0, 2: 2.0, 3: 3.0}
    cosine = {1: 0.5, 2: 0.5}
    fused = dict(zscore_fuse([(bm25, 1.0), (cosine, 1.0)]))
    assert fused[3] > fused[2] > fused[1]


def test_zscore_fusion_of_equal_scores_is_deterministic() -> None:
    fused = zscore_fuse([({5: 1.0, 3: 1.0, 9: 1.0}, 1.0), ({5: 0.2, 3: 0.2, 9: 0.2}, 1.0)])
    assert fused == [(3, 0.0), (5, 0.0), (9, 0.0)]
    assert zscore_fuse([({}, 1.0), ({}, 1.0)]) == []
