"""The search engine of one process: the keyword index, the vector index and the query embedder,
opened once and shared by every request.

Indexes are opened lazily and refreshed by a stat per search, so a server picks up what
`paperfeed index` publishes without a restart. The embedder loads on the first semantic query (a
second or two); `engine_warm()` loads it ahead, as `paperfeed serve` does.
"""

from __future__ import annotations

import threading
from functools import cached_property

import numpy as np
from django.conf import settings

from paperfeed.search.embedding import Embedder, EmbeddingError, embedder_load
from paperfeed.search.filters import FilterColumns, filters_load, filters_stamp
from paperfeed.search.indexing import keyword_path, model_key, vectors_root
from paperfeed.search.keyword import KeywordIndex
from paperfeed.search.vectors import VectorIndex


class SearchEngine:
    def __init__(self, *, model: str, backend: str) -> None:
        self.model = model_key(model)
        self.backend = backend
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None
        self.embedder_error: str | None = None
        self._columns: tuple[tuple[int | None, int], FilterColumns | None] | None = None

    @cached_property
    def keyword(self) -> KeywordIndex:
        return KeywordIndex(keyword_path())

    @cached_property
    def vectors(self) -> VectorIndex:
        return VectorIndex(vectors_root(self.model))

    def filter_columns(self) -> FilterColumns | None:
        """The filter columns row for row with the live vector index, realigned when either
        changes (~0.1 s at a million papers); None before `paperfeed index` wrote them."""
        stamp = (filters_stamp(self.keyword.path), self.vectors.version)
        cached = self._columns
        if cached is None or cached[0] != stamp:
            loaded = filters_load(self.keyword.path) if stamp[0] is not None else None
            cached = (stamp, None if loaded is None else loaded.aligned(self.vectors.keys))
            self._columns = cached
        return cached[1]

    def embedder(self) -> Embedder | None:
        """The query embedder, or None when the model cannot be loaded (keyword search goes on;
        the reason is in embedder_error)."""
        if self._embedder is None and self.embedder_error is None:
            with self._lock:
                if self._embedder is None and self.embedder_error is None:
                    try:
                        self._embedder = embedder_shared(self.model, self.backend)
                    except EmbeddingError as exc:
                        self.embedder_error = str(exc)
        return self._embedder

    def encode_query(self, text: str) -> np.ndarray | None:
        embedder = self.embedder()
        return None if embedder is None else embedder.encode_query(text)


_embedders: dict[tuple[str, str, str], Embedder] = {}


def embedder_shared(model: str, backend: str) -> Embedder:
    """One loaded model per process, kept when the engine is reset (loading takes seconds)."""
    key = (model, backend, str(settings.SEARCH_MODELS_DIR))
    if key not in _embedders:
        _embedders[key] = embedder_load(
            model=model, backend=backend, cache_dir=settings.SEARCH_MODELS_DIR
        )
    return _embedders[key]


_engine: SearchEngine | None = None
_engine_lock = threading.Lock()


def engine() -> SearchEngine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = SearchEngine(
                    model=settings.EMBEDDING_MODEL, backend=settings.EMBEDDING_BACKEND
                )
    return _engine


def engine_reset() -> None:
    """Forget the open indexes (tests, and after the index folder was replaced)."""
    global _engine
    with _engine_lock:
        _engine = None


def engine_warm() -> None:
    """Open the indexes and load the embedder now rather than on the first query."""
    current = engine()
    current.keyword.refresh()
    current.vectors.refresh()
    if current.vectors.count:
        current.filter_columns()
        current.embedder()
