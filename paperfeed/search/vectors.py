"""The vector index: a usearch HNSW graph (f16) and a flat copy of the vectors, published as
versions that every server process opens memory-mapped.

Layout under PAPERFEED_HOME/index/vectors/<model>/:
    current.json         which version is live: {"version", "count", "dim", "model", ...}
    v<N>/keys.npy        paper ids, ascending (uint64)
    v<N>/vectors.npy     their unit-length vectors, float16, row i belongs to keys[i]
    v<N>/hnsw.usearch    the HNSW graph, when the collection is big enough to need one

The indexer writes a new version beside the live one and then swaps current.json atomically, so a
reader never sees a half-written index; readers notice the new current.json (one stat per search)
and reopen. The flat copy serves exact search (small collections, and filters that leave few
papers) and looks up a paper's own vector for "similar papers". Nothing here imports Django.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from usearch.compiled import MetricKind
from usearch.index import Index
from usearch.index import search as exact_search

# Below this many vectors an exact scan is as fast as the graph, and needs no build at all.
EXACT_BELOW = 20_000
# HNSW parameters: f16 keeps recall@10 at ~0.995 on real MiniLM vectors (int8 lost 7 points).
# Near-duplicate papers crowd the graph at millions of papers: on bench/search.py's 1M collection
# recall@10 against exact search is 0.84 at ef 200, 0.91 at 400, 0.95 at 800-1000 and 0.98 at
# 1200, where a search costs ~10 ms on 2 cores. Search time grows with ef, not with the collection.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 1200
# Smaller collections need less: at 100,000 papers (bench/web.py) ef 200 already has recall@10
# 0.995 at a quarter of the cost. ef grows linearly from SMALL_EXPANSION at SMALL_COLLECTION
# papers to EXPANSION_SEARCH at a million, the two sizes measured.
SMALL_EXPANSION = 200
SMALL_COLLECTION = 150_000
# Similar papers (a short list beside a paper) read a second view of the same graph with a
# smaller ef: ~4x cheaper, and a missed neighbour there costs little.
EXPANSION_SIMILAR = 200
MANIFEST = "current.json"
# Rows scanned at once by exact search: bounded temporary memory however many rows.
EXACT_STEP = 65_536


def expansion_for(count: int) -> int:
    """The search effort (HNSW ef) for a collection of `count` vectors."""
    if count <= SMALL_COLLECTION:
        return SMALL_EXPANSION
    share = min(1.0, (count - SMALL_COLLECTION) / (1_000_000 - SMALL_COLLECTION))
    return round(SMALL_EXPANSION + share * (EXPANSION_SEARCH - SMALL_EXPANSION))


def model_slug(model: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model)[:120]


@dataclass(frozen=True)
class Published:
    version: int
    count: int


def _read_manifest(root: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((root / MANIFEST).read_text()))
    except FileNotFoundError:
        return None


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def _new_graph(dim: int) -> Index:
    return Index(
        ndim=dim,
        metric="ip",
        dtype="f16",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def vectors_publish(
    root: Path,
    *,
    model: str,
    keys: np.ndarray,
    vectors: np.ndarray,
    removed: np.ndarray | None = None,
    replace_all: bool = False,
    state: dict[str, Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Published:
    """Publish a new version: the live one with `keys` added or replaced and `removed` dropped
    (or only `keys`, with replace_all). `state` is kept in the manifest for the indexer."""
    root.mkdir(parents=True, exist_ok=True)
    manifest = None if replace_all else _read_manifest(root)
    keys = np.asarray(keys, dtype=np.uint64)
    vectors = np.asarray(vectors, dtype=np.float16)
    dim = int(vectors.shape[1]) if vectors.ndim == 2 else int((manifest or {}).get("dim", 0))
    version = int((manifest or {}).get("version", 0)) + 1
    old_dir = root / f"v{manifest['version']}" if manifest else None

    gone = np.unique(keys if removed is None else np.concatenate([keys, removed.astype(np.uint64)]))
    if old_dir is not None:
        old_keys = np.load(old_dir / "keys.npy", mmap_mode="r")
        keep = ~np.isin(old_keys, gone)
        all_keys = np.concatenate([np.asarray(old_keys[keep]), keys])
        all_vectors = np.concatenate(
            [np.load(old_dir / "vectors.npy", mmap_mode="r")[keep], vectors]
        )
    else:
        all_keys, all_vectors = keys, vectors
    order = np.argsort(all_keys, kind="stable")
    all_keys, all_vectors = all_keys[order], all_vectors[order]
    if len(np.unique(all_keys)) != len(all_keys):
        raise ValueError("a paper appears twice among the vectors to publish")

    new_dir = root / f"v{version}"
    shutil.rmtree(new_dir, ignore_errors=True)  # left by a run that was killed
    new_dir.mkdir()
    np.save(new_dir / "keys.npy", all_keys)
    np.save(new_dir / "vectors.npy", all_vectors)
    if len(all_keys) >= EXACT_BELOW and dim:
        graph = _graph_update(old_dir, dim, keys, vectors, gone, all_keys, all_vectors, on_progress)
        graph.save(str(new_dir / "hnsw.usearch"))
    _write_json_atomic(
        root / MANIFEST,
        {"version": version, "count": int(len(all_keys)), "dim": int(dim), "model": model,
         "state": state or {}},
    )  # fmt: skip
    _remove_old_versions(root, keep={version, version - 1})
    return Published(version=version, count=int(len(all_keys)))


def _graph_update(
    old_dir: Path | None,
    dim: int,
    keys: np.ndarray,
    vectors: np.ndarray,
    gone: np.ndarray,
    all_keys: np.ndarray,
    all_vectors: np.ndarray,
    on_progress: Callable[[int, int], None] | None,
) -> Index:
    """Extend the live graph with the changes, or build one over everything the first time."""
    graph: Index | None = None
    if old_dir is not None and (old_dir / "hnsw.usearch").exists():
        graph = Index.restore(str(old_dir / "hnsw.usearch"), view=False)
    if graph is None:
        to_add_keys, to_add = all_keys, all_vectors
        graph = _new_graph(dim)
    else:
        present = gone[np.asarray(graph.contains(gone), dtype=bool)] if len(gone) else gone
        if len(present):
            graph.remove(present)
        to_add_keys, to_add = keys, vectors
    step = 50_000
    for start in range(0, len(to_add_keys), step):
        graph.add(
            to_add_keys[start : start + step], to_add[start : start + step].astype(np.float32)
        )
        if on_progress:
            on_progress(min(start + step, len(to_add_keys)), len(to_add_keys))
    return graph


def _remove_old_versions(root: Path, *, keep: set[int]) -> None:
    # Readers that still map an older version keep their pages: on POSIX an unlinked file lives
    # on until its last mapping closes. One previous version stays for readers mid-reload.
    for child in root.iterdir():
        name = child.name
        if child.is_dir() and name[:1] == "v" and name[1:].isdigit() and int(name[1:]) not in keep:
            shutil.rmtree(child, ignore_errors=True)


def vectors_state_save(root: Path, state: dict[str, Any]) -> None:
    """Record how far the indexer read when it found nothing new to publish (same version)."""
    manifest = _read_manifest(root)
    if manifest is not None and manifest.get("state") != state:
        _write_json_atomic(root / MANIFEST, {**manifest, "state": state})


def vectors_state(root: Path) -> dict[str, Any]:
    """The indexer's own bookkeeping saved with the live version ({} before the first one)."""
    manifest = _read_manifest(root)
    return dict(manifest.get("state", {})) if manifest else {}


class VectorIndex:
    """The live version of one model's vectors, opened read-only and memory-mapped."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._stamp: float | None = None
        self.version = 0
        self.keys = np.zeros(0, dtype=np.uint64)
        self.vectors = np.zeros((0, 0), dtype=np.float16)
        self.graph: Index | None = None
        self.expansion = EXPANSION_SEARCH
        self._graph_path: Path | None = None
        self._quick: Index | None = None
        self.refresh()

    @property
    def count(self) -> int:
        return int(len(self.keys))

    def refresh(self) -> None:
        """Reopen when the indexer has published a new version (one stat per call)."""
        try:
            stamp = os.stat(self.root / MANIFEST).st_mtime_ns
        except FileNotFoundError:
            return
        if stamp == self._stamp:
            return
        manifest = _read_manifest(self.root)
        if manifest is None:
            return
        folder = self.root / f"v{manifest['version']}"
        try:
            keys = np.load(folder / "keys.npy", mmap_mode="r")
            vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            graph_path = folder / "hnsw.usearch"
            graph = Index.restore(str(graph_path), view=True) if graph_path.exists() else None
            expansion = expansion_for(len(keys))
            if graph is not None:
                graph.expansion_search = expansion  # type: ignore[misc]
        except FileNotFoundError:
            return  # replaced again while we looked: the next call opens the newer one
        self.keys, self.vectors, self.graph, self.expansion = keys, vectors, graph, expansion
        self._graph_path, self._quick = graph_path if graph is not None else None, None
        self.version, self._stamp = int(manifest["version"]), stamp

    def vector(self, pid: int) -> np.ndarray | None:
        found, vectors = self.lookup([pid])
        return vectors[0] if len(found) else None

    def lookup(self, pids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(the papers among these that have a vector, their vectors as float32 rows). With a
        graph they are read from the graph's own copy, whose pages graph search keeps in memory
        anyway, so that lookups do not also bring the flat copy into memory (~0.5 us each)."""
        wanted = np.asarray(pids, dtype=np.uint64)
        dim = int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0
        if not self.count or not len(wanted):
            return wanted[:0], np.zeros((0, dim), dtype=np.float32)
        rows = np.minimum(np.searchsorted(self.keys, wanted), self.count - 1)
        present = self.keys[rows] == wanted
        found = wanted[present]
        if not len(found):
            return found, np.zeros((0, dim), dtype=np.float32)
        if self.graph is not None:
            got = self.graph.get(found, dtype="f32")
            listed = [v for v in (got if isinstance(got, tuple) else (got,)) if v is not None]
            if len(listed) == len(found):
                return found, np.vstack(listed).reshape(len(found), -1)
        order = np.argsort(rows[present])  # read the memory-mapped rows in file order
        matrix = np.empty((len(found), dim), dtype=np.float32)
        matrix[order] = np.asarray(self.vectors[rows[present][order]], dtype=np.float32)
        return found, matrix

    def similarities(self, query: np.ndarray, pids: Sequence[int]) -> dict[int, float]:
        """The cosine similarity of each of these papers to the query; papers without a vector
        are left out. Hybrid fusion scores the keyword candidates the semantic list missed."""
        found, matrix = self.lookup(pids)
        if not len(found):
            return {}
        scores = matrix @ np.asarray(query, dtype=np.float32)
        return {int(p): float(s) for p, s in zip(found, scores, strict=True)}

    def search(self, query: np.ndarray, k: int, *, quick: bool = False) -> list[tuple[int, float]]:
        """The k nearest papers by cosine similarity, best first (`quick`: a smaller search
        effort, for lists where a missed neighbour matters little)."""
        if k <= 0 or not self.count:
            return []
        if self.graph is None:
            return self.search_rows(query, np.arange(self.count), k)
        graph = (self._quick_graph() if quick else None) or self.graph
        matches = graph.search(np.asarray(query, dtype=np.float32), min(k, self.count))
        return [
            (int(key), 1.0 - float(d))
            for key, d in zip(matches.keys, matches.distances, strict=True)
        ]

    def _quick_graph(self) -> Index | None:
        """A second memory-mapped view of the live graph (the same pages in memory), searched
        with EXPANSION_SIMILAR; opened on first use."""
        if self._quick is None and self._graph_path is not None:
            quick = Index.restore(str(self._graph_path), view=True)
            if quick is not None:
                quick.expansion_search = EXPANSION_SIMILAR  # type: ignore[misc]
                self._quick = quick
        return self._quick or self.graph

    def search_among(self, query: np.ndarray, pids: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Exact nearest papers within a given set (a filter that leaves few papers)."""
        if not self.count:
            return []
        pids = np.asarray(pids, dtype=np.uint64)
        rows = np.minimum(np.searchsorted(self.keys, pids), self.count - 1)
        rows = np.unique(rows[self.keys[rows] == pids])
        return self.search_rows(query, rows, k)

    def rows_of(self, pids: Sequence[int]) -> np.ndarray:
        """Each paper's row in the index (-1 for a paper without a vector)."""
        wanted = np.asarray(pids, dtype=np.uint64)
        if not self.count:
            return np.full(len(wanted), -1, dtype=np.intp)
        rows = np.minimum(np.searchsorted(self.keys, wanted), self.count - 1)
        return np.where(self.keys[rows] == wanted, rows, -1)

    def search_rows(self, query: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Exact search over these rows (unique, ascending) with usearch's SIMD float16 kernel:
        ~4x faster than numpy, whose float16-to-float32 conversion dominates a long scan."""
        if not len(rows):
            return []
        q = np.asarray(query, dtype=np.float16).reshape(1, -1)
        k = min(k, len(rows))
        whole = len(rows) == self.count  # rows are unique, so this is every row, in order
        found: list[tuple[int, float]] = []
        for start in range(0, len(rows), EXACT_STEP):
            chunk = rows[start : start + EXACT_STEP]
            block = (
                self.vectors[start : start + len(chunk)]
                if whole
                else np.take(self.vectors, chunk, axis=0)
            )
            matches = exact_search(np.ascontiguousarray(block), q, min(k, len(chunk)),
                                   MetricKind.IP, exact=True, threads=1)  # fmt: skip
            found += [
                (int(self.keys[chunk[int(i)]]), 1.0 - float(d))
                for i, d in zip(matches.keys, matches.distances, strict=True)
            ]
        found.sort(key=lambda hit: -hit[1])
        return found[:k]
