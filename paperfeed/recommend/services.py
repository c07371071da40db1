"""Writes: a reader's trained model, their dismissals and interests. Rules live here."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.accounts.models import LibraryEntry
from paperfeed.community.models import Vote
from paperfeed.papers.models import Paper
from paperfeed.recommend.models import Dismissal, ReaderModel
from paperfeed.recommend.training import Background, TrainedModel, background_fit, model_train
from paperfeed.search.engine import engine
from paperfeed.search.selectors import paper_vectors, vectors_sample

# A model trained while some positives had no vector yet is trained again after this long, by
# when `paperfeed index` has usually embedded them.
RETRY_MISSING = dt.timedelta(hours=1)
BACKGROUND_TTL = dt.timedelta(hours=1)

_background: dict[str, tuple[dt.datetime, Background | None]] = {}
_background_lock = threading.Lock()


def reader_positive_ids(*, user: User) -> list[int]:
    """The reader's library and upvoted papers, most recent first, each once."""
    library = LibraryEntry.objects.filter(user=user).values_list("paper_id", "added_at")
    votes = Vote.objects.filter(user=user).values_list("paper_id", "created_at")
    dated = sorted([*library, *votes], key=lambda row: row[1], reverse=True)
    return list(dict.fromkeys(pid for pid, _ in dated))[: settings.RECOMMEND_MAX_POSITIVES]


def background() -> Background | None:
    """What every model learns against, from a sample of recent papers; kept an hour per
    process. None while fewer than two papers have vectors."""
    key = engine().model
    now = timezone.now()
    with _background_lock:
        cached = _background.get(key)
        if cached is None or now - cached[0] > BACKGROUND_TTL:
            sample = vectors_sample(count=settings.RECOMMEND_BACKGROUND)
            cached = (now, background_fit(sample) if len(sample) >= 2 else None)
            _background[key] = cached
        return cached[1]


def background_clear() -> None:
    with _background_lock:
        _background.clear()


def reader_model_train(*, user: User) -> ReaderModel:
    """Train the reader's model from their current library, votes and dismissals and store it
    (replacing the previous one)."""
    started = timezone.now()  # before reading: a change from now on leaves the model stale
    positive_ids = reader_positive_ids(user=user)
    pos_ids, positives = paper_vectors(paper_ids=positive_ids)
    dismissed_ids = list(Dismissal.objects.filter(user=user).values_list("paper_id", flat=True))
    _, dismissed = paper_vectors(paper_ids=dismissed_ids)
    summary = background()
    if summary is None:  # a catalog with a single embedded paper: nothing to contrast it with
        dim = positives.shape[1] if positives.ndim == 2 and positives.shape[1] else 1
        summary = Background(
            mean=np.zeros(dim, np.float32), precision=np.eye(dim, dtype=np.float32)
        )
    trained = model_train(positives=positives, background=summary, dismissed=dismissed)
    return _store(user, trained, anchor_ids=pos_ids[: len(trained.anchors)],
                  missing=len(positive_ids) - len(pos_ids), started=started)  # fmt: skip


def _store(
    user: User, trained: TrainedModel, *, anchor_ids: list[int], missing: int, started: dt.datetime
) -> ReaderModel:
    fields = {
        "kind": trained.kind,
        "embedding_model": engine().model,
        "weights": trained.weights.astype(np.float32).tobytes(),
        "bias": trained.bias,
        "mix": trained.mix,
        "anchors": trained.anchors.astype(np.float16).tobytes(),
        "anchor_ids": anchor_ids,
        "missing": missing,
        "trained_at": started,
    }
    try:
        with transaction.atomic():
            stored, _ = ReaderModel.objects.update_or_create(user=user, defaults=fields)
    except IntegrityError:  # another process stored this reader's first model a moment ago
        stored, _ = ReaderModel.objects.update_or_create(user=user, defaults=fields)
    return stored


def reader_model_current(*, user: User) -> ReaderModel:
    """The reader's stored model, retrained first when what it learned from has changed."""
    stored = ReaderModel.objects.filter(user=user).first()
    if stored is None or _outdated(stored):
        stored = reader_model_train(user=user)
    return stored


def _outdated(stored: ReaderModel) -> bool:
    if stored.stale or stored.embedding_model != engine().model:
        return True
    return stored.missing > 0 and timezone.now() - stored.trained_at > RETRY_MISSING


def dismissal_set(*, user: AnyUser | None, paper: Paper, on: bool = True) -> bool:
    """Say the reader is not interested in the paper (or take it back); idempotent. Returns
    whether it is dismissed now. A dismissed paper is never recommended to them again and
    teaches their model what they do not want."""
    user = require_login(user, "Log in to get recommendations.")
    if not on:
        Dismissal.objects.filter(user=user, paper=paper).delete()
        return False
    try:
        with transaction.atomic():
            Dismissal.objects.create(user=user, paper=paper)
    except IntegrityError:
        pass  # already dismissed
    return True
