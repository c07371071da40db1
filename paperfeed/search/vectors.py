"""The vector index: a usearch HNSW graph (f16) and a flat copy of the vectors, published as
versions that every server process opens memory-mapped.

Layout under PAPERFEED_HOME/index/vectors/<model>/:
    current.json         which version is live: {"version", "count", "dim", "model", ...}
    v<N>/keys.npy        paper ids, ascending (uint64)
    v<N>/vectors.npy     their unit-length vectors, float16, row i belongs to keys[i]
    v<N>/hnsw.usearch    the HNSW graph, when the collection is big enough to need one
    v<N>/slots.npy       with a graph: row i's slot among the vectors stored in hnsw.usearch

A usearch file begins with its vectors, one per slot, before the graph. Servers read rows from
there (through slots.npy) rather than from vectors.npy: graph search keeps those pages in memory
anyway, and a second copy would double the vectors' share of a server's memory (740 MB at a
million papers). vectors.npy stays for the indexer (the next version starts from it) and for
collections without a graph.

The indexer writes a new version beside the live one and then swaps current.json atomically, so a
reader never sees a half-written index; readers notice the new current.json (one stat per search)
and reopen. Rows serve exact search (small collections, and filters that leave few papers) and
look up a paper's own vector for "similar papers" and hybrid fusion. Nothing here imports Django.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# onnxruntime must be loaded before usearch: the other way round the process crashes on import
# (the two native libraries clash). A process that searches opens this module and loads the ONNX
# query embedder later, so this module, the one that imports usearch, loads onnxruntime first.
import onnxruntime  # noqa: F401
from usearch.compiled import MetricKind
from usearch.index import Index
from usearch.index import search as exact_search

from paperfeed.lib.files import write_json_atomic

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


@dataclass(frozen=True)
class Published:
    version: int
    count: int


def _read_manifest(root: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((root / MANIFEST).read_text()))
    except FileNotFoundError:
        return None


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
        slots = graph_slots(new_dir / "hnsw.usearch", all_vectors)
        if slots is not None:  # else readers use vectors.npy
            np.save(new_dir / "slots.npy", slots)
    write_json_atomic(
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


def graph_stored_vectors(data: Any, dim: int) -> np.ndarray | None:
    """The vectors at the start of a usearch file's bytes (a buffer such as its mmap), one row
    per slot, float16: a header of two uint32 (slots, bytes per vector), then the rows. None if
    it is not so."""
    size = len(data)
    if size < 8 or not dim:
        return None
    slots, width = (int(v) for v in np.frombuffer(data, dtype="<u4", count=2))
    if width != 2 * dim or not slots or 8 + slots * width > size:
        return None
    return np.frombuffer(data, dtype=np.float16, count=slots * dim, offset=8).reshape(slots, dim)


def graph_slots(path: Path, vectors: np.ndarray) -> np.ndarray | None:
    """Each row's slot among the vectors stored in the usearch file at `path` (int64), found by
    content and checked byte for byte; None when some row is not there as it should be."""
    count, dim = vectors.shape if vectors.ndim == 2 else (0, 0)
    try:
        mapping = _map(path)
    except (OSError, ValueError):  # unreadable, or empty
        return None
    stored = graph_stored_vectors(mapping, dim) if mapping is not None else None
    if stored is None or not count:
        return None
    # An exact fingerprint of each row's bits: a wrapping sum of them times random odd numbers.
    weights = np.random.default_rng(0).integers(1, 2**63, size=dim, dtype=np.uint64) | 1

    def fingerprints(matrix: np.ndarray) -> np.ndarray:
        out = np.empty(len(matrix), dtype=np.uint64)
        for start in range(0, len(matrix), EXACT_STEP):
            bits = np.asarray(matrix[start : start + EXACT_STEP]).view(np.uint16)
            out[start : start + len(bits)] = (bits.astype(np.uint64) * weights).sum(axis=1)
        return out

    stored_prints = fingerprints(stored)
    order = np.argsort(stored_prints, kind="stable")
    sorted_prints = stored_prints[order]
    wanted = fingerprints(vectors)
    at = np.searchsorted(sorted_prints, wanted)
    if (at >= len(order)).any() or (sorted_prints[np.minimum(at, len(order) - 1)] != wanted).any():
        return None
    slots = order[at]
    # Equal fingerprints are equal vectors but for a 2**-64 chance: check every row anyway.
    for start in range(0, count, EXACT_STEP):
        block = np.asarray(vectors[start : start + EXACT_STEP]).view(np.uint16)
        found = np.take(stored, slots[start : start + len(block)], axis=0).view(np.uint16)
        if not np.array_equal(found, block):
            return None
    return slots.astype(np.int64)


def _map(path: Path) -> mmap.mmap | None:
    """The file mapped read-only, or None when there is no such file."""
    try:
        with path.open("rb") as file:
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        return None


def _view(mapping: mmap.mmap) -> Index | None:
    """A graph reading the mapped file in place. It holds the mapping: a search still running
    on it in another thread keeps its pages mapped after a reload drops them."""
    graph = Index.restore(memoryview(mapping), view=True)
    if graph is not None:
        graph._paperfeed_mapping = mapping  # type: ignore[attr-defined]
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
        write_json_atomic(root / MANIFEST, {**manifest, "state": state})


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
        # Rows are read from `_store`: the graph file's own vectors through `_slots` (row i is
        # _store[_slots[i]]), or vectors.npy itself (`_slots` None).
        self._store = np.zeros((0, 0), dtype=np.float16)
        self._slots: np.ndarray | None = None
        self.graph: Index | None = None
        self.expansion = EXPANSION_SEARCH
        # The graph file, mapped once: the graph, its quick view and the rows all read these
        # pages, so they count once in a server's memory.
        self._mapping: mmap.mmap | None = None
        self._quick: Index | None = None
        self.refresh()

    @property
    def count(self) -> int:
        return int(len(self.keys))

    @property
    def dim(self) -> int:
        return int(self._store.shape[1]) if self._store.ndim == 2 else 0

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """These rows' vectors (float16), in the order asked."""
        rows = np.asarray(rows, dtype=np.intp)
        source = rows if self._slots is None else self._slots[rows]
        return np.asarray(np.take(self._store, source, axis=0), dtype=np.float16)

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
            mapping = _map(folder / "hnsw.usearch")
            graph = _view(mapping) if mapping is not None else None
            store, slots = self._graph_rows(folder, mapping, int(manifest.get("dim", 0)))
            if store is None:
                store = np.load(folder / "vectors.npy", mmap_mode="r")
            expansion = expansion_for(len(keys))
            if graph is not None:
                graph.expansion_search = expansion  # type: ignore[misc]
        except FileNotFoundError:
            return  # replaced again while we looked: the next call opens the newer one
        self.keys, self.graph, self.expansion = keys, graph, expansion
        self._store, self._slots = store, slots
        self._mapping, self._quick = mapping if graph is not None else None, None
        self.version, self._stamp = int(manifest["version"]), stamp

    @staticmethod
    def _graph_rows(
        folder: Path, mapping: mmap.mmap | None, dim: int
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(the graph file's vectors, each row's slot there), or (None, None) without them."""
        if mapping is None or not (folder / "slots.npy").exists():
            return None, None
        store = graph_stored_vectors(mapping, dim)
        slots = np.load(folder / "slots.npy", mmap_mode="r")
        if store is None or (len(slots) and int(slots.max()) >= len(store)):
            return None, None
        return store, slots

    def vector(self, pid: int) -> np.ndarray | None:
        found, vectors = self.lookup([pid])
        return vectors[0] if len(found) else None

    def lookup(self, pids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(the papers among these that have a vector, their vectors as float32 rows)."""
        wanted = np.asarray(pids, dtype=np.uint64)
        if not self.count or not len(wanted):
            return wanted[:0], np.zeros((0, self.dim), dtype=np.float32)
        rows = np.minimum(np.searchsorted(self.keys, wanted), self.count - 1)
        present = self.keys[rows] == wanted
        return wanted[present], self.rows(rows[present]).astype(np.float32)

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
        if self._quick is None and self._mapping is not None:
            quick = _view(self._mapping)
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
        # Rows are unique, so this is every row, in order: a flat copy is read as it lies.
        whole = len(rows) == self.count and self._slots is None
        found: list[tuple[int, float]] = []
        for start in range(0, len(rows), EXACT_STEP):
            chunk = rows[start : start + EXACT_STEP]
            block = self._store[start : start + len(chunk)] if whole else self.rows(chunk)
            matches = exact_search(np.ascontiguousarray(block), q, min(k, len(chunk)),
                                   MetricKind.IP, exact=True, threads=1)  # fmt: skip
            found += [
                (int(self.keys[chunk[int(i)]]), 1.0 - float(d))
                for i, d in zip(matches.keys, matches.distances, strict=True)
            ]
        found.sort(key=lambda hit: -hit[1])
        return found[:k]
