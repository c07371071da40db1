"""The per-reader model, as plain functions over numpy arrays (no Django): the app and
bench/recommend.py train and score through these same functions.

A reader's positives are the vectors of the papers in their library and those they upvoted; the
negatives are a shared background sample of recent papers and the papers they dismissed. With
at least MIN_LEARNED positives the model is a linear classifier over the embedding: Fisher's
discriminant with the background's covariance, shrunk towards the identity,

    w = (Σ_background + λI)⁻¹ (mean(positives) − mean(negatives))

which is what logistic regression converges to when both classes share a covariance and a
reader has a handful of papers, without an iterative fit: the inverse is computed once for the
background and shared by every reader, so training is one matrix-vector product (microseconds)
instead of a solver per reader (tens of milliseconds). Its score is mixed with the similarity to
the nearest positive, which keeps a reader's smaller interests visible beside the main one. With
fewer positives the score is that similarity alone. docs/recommendations.md has the figures.
Vectors are unit length; larger scores are better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_LEARNED = 3  # fewer positives than this: nearest neighbours only
TUNED_SAMPLE = 5000  # background papers the parameters were tuned with


@dataclass(frozen=True)
class Params:
    """Training choices, tuned on half of the simulated readers in bench/recommend.py and
    checked on the other half."""

    shrinkage: float = 0.0003  # λ: ridge added to the background covariance's diagonal
    mix: float = 0.4  # weight of the classifier's z-score; the rest is the nearest neighbour's
    dismissed_share: float = 0.5  # at most this share of the negative mean is the dismissals'
    max_anchors: int = 200  # positives kept for the nearest-neighbour part (the most recent)


DEFAULT = Params()


@dataclass(frozen=True)
class Background:
    """What every reader's model is trained against: a sample of recent papers, summarised."""

    mean: np.ndarray  # (dim,)
    precision: np.ndarray  # (dim, dim): (covariance + λI)⁻¹

    @property
    def dim(self) -> int:
        return int(self.mean.shape[0])


def background_fit(sample: np.ndarray, params: Params = DEFAULT) -> Background:
    """Summarise a background sample (n, dim), n at least 2."""
    sample = np.asarray(sample, dtype=np.float64)
    # λ was tuned on TUNED_SAMPLE papers; a covariance estimated from fewer is noisier (its error
    # grows as 1/n), so a small catalog's background is shrunk harder.
    shrinkage = params.shrinkage * max(1.0, TUNED_SAMPLE / len(sample))
    covariance = np.cov(sample, rowvar=False) + shrinkage * np.eye(sample.shape[1])
    return Background(
        mean=sample.mean(axis=0).astype(np.float32),
        precision=np.linalg.inv(covariance).astype(np.float32),
    )


@dataclass
class TrainedModel:
    kind: str  # "learned", "neighbours" or "empty"
    weights: np.ndarray  # (dim,) float32; zeros unless learned
    bias: float
    anchors: np.ndarray  # (n, dim) float32 unit vectors of the positives, most recent first
    mix: float = 0.0  # classifier weight in the final score (0: neighbours only)

    @property
    def empty(self) -> bool:
        return self.kind == "empty"


def model_train(
    *,
    positives: np.ndarray,
    background: Background,
    dismissed: np.ndarray | None = None,
    params: Params = DEFAULT,
) -> TrainedModel:
    """Train one reader's model. `positives` (most recent first) and `dismissed` are (n, dim)
    arrays of unit vectors."""
    dim = background.dim
    positives = np.asarray(positives, dtype=np.float32).reshape(-1, dim)
    zeros = np.zeros(dim, dtype=np.float32)
    if not len(positives):
        return TrainedModel(kind="empty", weights=zeros, bias=0.0, anchors=positives)
    anchors = positives[: params.max_anchors]
    if len(positives) < MIN_LEARNED:
        return TrainedModel(kind="neighbours", weights=zeros, bias=0.0, anchors=anchors)
    negative = background.mean
    if dismissed is not None and len(dismissed):
        # A few dismissals pull the negative side towards what the reader turned down, in
        # proportion to how much of their signal they are, never more than dismissed_share.
        dismissed = np.asarray(dismissed, dtype=np.float32).reshape(-1, dim)
        share = min(params.dismissed_share, len(dismissed) / (len(dismissed) + len(positives)))
        negative = (1 - share) * negative + share * dismissed.mean(axis=0)
    positive = positives.mean(axis=0)
    weights = background.precision @ (positive - negative)
    weights /= max(float(np.linalg.norm(weights)), 1e-12)
    bias = -float(weights @ (positive + negative)) / 2
    return TrainedModel(
        kind="learned", weights=weights.astype(np.float32), bias=bias, anchors=anchors,
        mix=params.mix,
    )  # fmt: skip


def models_score(models: Sequence[TrainedModel], candidates: np.ndarray) -> np.ndarray:
    """Scores (len(models), n) of the candidates (n, dim) for each reader; larger is better.

    Readers are scored together: two matrix products for the whole group, which is how a digest
    run or the benchmark scores thousands of readers in seconds."""
    candidates = np.asarray(candidates, dtype=np.float32)
    out = np.zeros((len(models), len(candidates)), dtype=np.float32)
    if not len(candidates) or not len(models):
        return out
    nearest = _nearest_similarity(models, candidates)
    learned = [i for i, m in enumerate(models) if m.kind == "learned" and m.mix > 0]
    if learned:
        weights = np.stack([models[i].weights for i in learned])
        linear = candidates @ weights.T  # (n, readers); the bias does not change a z-score
        mix = np.array([models[i].mix for i in learned], dtype=np.float32)
        out[learned] = (mix[:, None] * _z(linear.T)) + (1 - mix[:, None]) * _z(nearest[learned])
    plain = [i for i, m in enumerate(models) if not (m.kind == "learned" and m.mix > 0)]
    out[plain] = nearest[plain]
    return out


def model_score(model: TrainedModel, candidates: np.ndarray) -> np.ndarray:
    """Scores of the candidates (n, dim) for one reader."""
    scores: np.ndarray = models_score([model], candidates)[0]
    return scores


def nearest_anchor(model: TrainedModel, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate, the index of the most similar positive and that similarity: the
    reason shown beside a recommendation."""
    if not len(model.anchors) or not len(candidates):
        return np.zeros(len(candidates), dtype=np.int64), np.zeros(len(candidates), np.float32)
    sims = np.asarray(candidates, dtype=np.float32) @ model.anchors.T
    best = sims.argmax(axis=1)
    return best, sims[np.arange(len(sims)), best]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best scores, best first (ties: lower index first)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.lexsort((part, -scores[part]))]


def _nearest_similarity(models: Sequence[TrainedModel], candidates: np.ndarray) -> np.ndarray:
    """(len(models), n): each candidate's similarity to the reader's nearest positive."""
    sizes = [len(m.anchors) for m in models]
    out = np.zeros((len(models), len(candidates)), dtype=np.float32)
    if not sum(sizes):
        return out
    anchors = np.concatenate([m.anchors for m in models if len(m.anchors)]).astype(np.float32)
    sims = candidates @ anchors.T  # (n, all anchors)
    starts = np.cumsum([0, *[s for s in sizes if s]])[:-1]
    have = [i for i, s in enumerate(sizes) if s]
    out[have] = np.maximum.reduceat(sims, starts, axis=1).T
    return out


def _z(scores: np.ndarray) -> np.ndarray:
    """Each row as z-scores over its candidates."""
    mean = scores.mean(axis=1, keepdims=True)
    spread = scores.std(axis=1, keepdims=True)
    standard: np.ndarray = (scores - mean) / np.where(spread > 1e-9, spread, 1.0)
    return standard
