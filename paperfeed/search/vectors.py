"""The vector index: the vectors as a flat float16 file, and int8 HNSW graphs over them, published
as versions that every server process opens memory-mapped.

Layout under PAPERFEED_HOME/index/vectors/<model>/:
    current.json         which version is live: {"version", "count", "dim", "model", "layout", ...}
    v<N>/keys.npy        paper ids, ascending (uint64)
    v<N>/vectors.npy     their unit-length vectors, float16, row i belongs to keys[i]
    v<N>/graphs.json     the graph files this version searches, with how many entries each holds
    v<N>/graph_of.npy    with graphs: which of them holds row i's live entry (uint16)
    graphs/g<V>-<S>.usearch
                         an int8 HNSW graph (usearch) of at most GRAPH_CAPACITY papers, written by
                         version V; unchanged graphs are shared by the versions that follow

Why int8 graphs in shards (issue 19, measured at 2.7 million papers in bench/search.py):
- int8 halves the graph against float16 (532 bytes a paper with its links instead of 900), so a
  server holds all of arXiv's graphs in ~1.4 GB. int8 alone loses ranking precision (recall@10
  0.93 on real MiniLM vectors); the best RESCORE candidates of the graphs are re-scored exactly
  from the float16 rows, which brings recall@10 back to 0.999 at the same search effort.
- A graph is built in memory. Capping each at GRAPH_CAPACITY papers bounds what `paperfeed index`
  holds (~550 MB) at any catalog size; a search asks every graph (a few at arXiv's size).
- A day's new papers go into the newest graph, the only file rewritten; papers that changed or
  left are marked in graph_of.npy and their old entries skipped (a graph with more than
  COMPACT_SHARE of dead entries is rebuilt from the live rows).

Float16 rows serve exact search (small collections, and filters that leave few papers), the
re-scoring, and a paper's own vector for "similar papers" and hybrid fusion. A server reads them
through a memory map and drops the pages from its mapping after each use: they stay in the OS page
cache (shared, reclaimable) instead of piling up as the process's own resident memory.

The indexer writes a new version beside the live one and then swaps current.json atomically, so a
reader never sees a half-written index; readers notice the new current.json (one stat per search)
and reopen. Nothing here imports Django.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
from paperfeed.lib.memory import memory_return

LAYOUT = 2  # 1: one float16 graph per version (readers of a layout-1 version search exactly)
# Below this many vectors an exact scan is as fast as the graph, and needs no build at all.
EXACT_BELOW = 20_000
# Papers per graph: building one holds about 550 MB.
GRAPH_CAPACITY = 1_000_000
CONNECTIVITY = 16
EXPANSION_ADD = 128
# Search effort per graph (HNSW ef), and how many of the best int8 candidates are re-scored from
# the float16 rows. Near-duplicate papers crowd a graph of millions (see bench/search.py's synthetic
# collection): the effort grows with the graph, linearly from SMALL_EXPANSION at SMALL_GRAPH papers
# to EXPANSION_SEARCH at GRAPH_CAPACITY.
SMALL_EXPANSION = 512
SMALL_GRAPH = 150_000
EXPANSION_SEARCH = 800
RESCORE = 64
# Similar papers (a short list beside a paper) read second views of the same graphs with a smaller
# ef: a missed neighbour there costs little.
EXPANSION_SIMILAR = 96
COMPACT_SHARE = 0.25
MANIFEST = "current.json"
# Rows read at once: bounded temporary memory however many rows.
EXACT_STEP = 65_536
NO_GRAPH = np.iinfo(np.uint16).max


def expansion_for(count: int) -> int:
    """The search effort (HNSW ef) for a graph of `count` vectors."""
    if count <= SMALL_GRAPH:
        return SMALL_EXPANSION
    share = min(1.0, (count - SMALL_GRAPH) / (GRAPH_CAPACITY - SMALL_GRAPH))
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
    return Index(ndim=dim, metric="ip", dtype="i8", connectivity=CONNECTIVITY,
                 expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)  # fmt: skip


class RowFile:
    """A .npy file of rows read with plain reads, not a memory map, so that the pages go to the
    OS page cache and not into the indexer's own resident memory."""

    def __init__(self, path: Path, *, raw: tuple[int, int, Any] | None = None) -> None:
        """A .npy file, or with `raw` (rows, dim, dtype) a file of bare rows."""
        self.path = path
        self.shape: tuple[int, ...]
        if raw is not None:
            rows, dim, dtype = raw
            self.offset, self.shape, self.dtype = 0, (rows, dim), np.dtype(dtype)
            self.width = dim
            return
        with path.open("rb") as handle:
            major, _ = np.lib.format.read_magic(handle)
            read_header = (
                np.lib.format.read_array_header_1_0
                if major == 1
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read_header(handle)
            self.offset = handle.tell()
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.width = int(np.prod(self.shape[1:], dtype=np.int64)) if len(self.shape) > 1 else 1

    def __len__(self) -> int:
        return int(self.shape[0]) if self.shape else 0

    def take(self, rows: np.ndarray) -> np.ndarray:
        """These rows (ascending), read in runs: one read per stretch of nearby rows."""
        rows = np.asarray(rows, dtype=np.intp)
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        if not len(rows):
            return out
        breaks = np.flatnonzero(np.diff(rows) > 256) + 1
        places = np.split(np.arange(len(rows)), breaks)
        for part, at in zip(np.split(rows, breaks), places, strict=True):
            lo = int(part[0])
            out[at] = self.read(lo, int(part[-1]) + 1)[part - lo]
        return out

    def read(self, start: int, stop: int) -> np.ndarray:
        stop = min(stop, len(self))
        count = max(0, stop - start) * self.width
        with self.path.open("rb") as handle:
            data = np.fromfile(
                handle, dtype=self.dtype, count=count,
                offset=self.offset + start * self.width * self.dtype.itemsize,
            )  # fmt: skip
        return data.reshape((max(0, stop - start), *self.shape[1:]))


Source = np.ndarray | RowFile


def _take(source: Source, rows: np.ndarray) -> np.ndarray:
    """Rows (ascending) of an array or a RowFile."""
    if isinstance(source, RowFile):
        return source.take(rows)
    return np.asarray(source[rows])


class _RowWriter:
    """Writes a .npy file of a known shape row block by row block."""

    def __init__(self, path: Path, rows: int, dim: int, dtype: Any) -> None:
        self.handle = path.open("wb")
        header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                  "fortran_order": False, "shape": (rows, dim) if dim else (rows,)}  # fmt: skip
        np.lib.format.write_array_header_1_0(self.handle, header)

    def write(self, block: np.ndarray) -> None:
        self.handle.write(np.ascontiguousarray(block).tobytes())

    def close(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


def vectors_publish(
    root: Path,
    *,
    model: str,
    keys: np.ndarray,
    vectors: Source,
    removed: np.ndarray | None = None,
    replace_all: bool = False,
    state: dict[str, Any] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Published:
    """Publish a new version: the live one with `keys` added or replaced and `removed` dropped
    (or only `keys`, with replace_all). `vectors` (rows of `keys`, in memory or a RowFile) are
    read block by block, so memory stays bounded however many there are. `state` is kept in the
    manifest for the indexer."""
    root.mkdir(parents=True, exist_ok=True)
    manifest = None if replace_all else _read_manifest(root)
    if manifest is not None and manifest.get("layout") != LAYOUT:
        manifest = None  # an older layout: rebuilt from what it is given (the indexer rebuilds)
    keys = np.asarray(keys, dtype=np.uint64)
    given_dim = int(vectors.shape[1]) if len(vectors.shape) == 2 else 0
    dim = given_dim or int((manifest or {}).get("dim", 0))
    live = _read_manifest(root)
    version = int(live["version"]) + 1 if live else max(_versions(root), default=0) + 1
    old_dir = root / f"v{manifest['version']}" if manifest else None

    # The new version's keys: the old ones kept, and the given ones, in ascending order.
    gone = np.unique(keys if removed is None else np.concatenate([keys, removed.astype(np.uint64)]))
    if old_dir is not None:
        old_keys = np.load(old_dir / "keys.npy")
        kept_rows = np.flatnonzero(~np.isin(old_keys, gone))
        old_rows: Source = RowFile(old_dir / "vectors.npy")
    else:
        old_keys, kept_rows = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
        old_rows = np.zeros((0, dim), dtype=np.float16)
    given_order = np.argsort(keys, kind="stable")
    all_keys = np.concatenate([old_keys[kept_rows], keys[given_order]])
    order = np.argsort(all_keys, kind="stable")
    all_keys = all_keys[order]
    if len(all_keys) > 1 and (all_keys[1:] == all_keys[:-1]).any():
        raise ValueError("a paper appears twice among the vectors to publish")

    new_dir = root / f"v{version}"
    shutil.rmtree(new_dir, ignore_errors=True)  # left by a run that was killed
    new_dir.mkdir()
    np.save(new_dir / "keys.npy", all_keys)
    # Rows of the new version, written in key order from the old file and the given rows.
    kept = len(kept_rows)
    writer = _RowWriter(new_dir / "vectors.npy", len(all_keys), dim, np.float16)
    for start in range(0, len(order), EXACT_STEP):
        chunk = order[start : start + EXACT_STEP]
        block = np.empty((len(chunk), dim), dtype=np.float16)
        sources = ((old_rows, kept_rows, True), (vectors, given_order, False))
        for source, sources_rows, is_old in sources:
            pick = chunk < kept if is_old else chunk >= kept
            if not pick.any():
                continue
            rows = sources_rows[chunk[pick] - (0 if is_old else kept)]
            ordered = np.argsort(rows, kind="stable")
            values = np.empty((len(rows), dim), dtype=np.float16)
            values[ordered] = _take(source, rows[ordered])
            block[pick] = values
        writer.write(block)
    writer.close()

    graphs: list[dict[str, Any]] = []
    if len(all_keys) >= EXACT_BELOW and dim:
        graphs = _graphs_update(root, old_dir, version, new_dir, all_keys, keys, on_progress)
    write_json_atomic(new_dir / "graphs.json", graphs)
    write_json_atomic(
        root / MANIFEST,
        {"version": version, "count": int(len(all_keys)), "dim": int(dim), "model": model,
         "layout": LAYOUT, "state": state or {}},
    )  # fmt: skip
    _remove_old_versions(root, keep={version, int(live["version"]) if live else version})
    return Published(version=version, count=int(len(all_keys)))


def _graphs_update(
    root: Path,
    old_dir: Path | None,
    version: int,
    new_dir: Path,
    all_keys: np.ndarray,
    changed: np.ndarray,
    on_progress: Callable[[int, int], None] | None,
) -> list[dict[str, Any]]:
    """Write the graphs of a new version (new_dir's rows): the old version's graphs with the
    changed papers added to the newest one, or every graph built anew the first time. Writes
    graph_of.npy and returns the graphs' list."""
    folder = root / "graphs"
    folder.mkdir(exist_ok=True)
    rows = RowFile(new_dir / "vectors.npy")
    old_graphs = _graphs_of(old_dir) if old_dir is not None else []
    graph_of = np.full(len(all_keys), NO_GRAPH, dtype=np.uint16)
    slot_of = np.full(len(all_keys), -1, dtype=np.int32)
    graphs: list[dict[str, Any]] = []
    if old_graphs:
        old_keys = np.load(old_dir / "keys.npy")  # type: ignore[operator]
        old_of = np.load(old_dir / "graph_of.npy")  # type: ignore[operator]
        old_slots = _load_or_none(old_dir / "slot_of.npy")  # type: ignore[operator]
        at = np.searchsorted(old_keys, all_keys)
        at = np.minimum(at, max(0, len(old_keys) - 1))
        unchanged = (
            (old_keys[at] == all_keys) & ~np.isin(all_keys, changed) if len(old_keys) else None
        )
        if unchanged is not None:
            graph_of[unchanged] = old_of[at[unchanged]]
            if old_slots is not None:
                slot_of[unchanged] = old_slots[at[unchanged]]
        graphs = [dict(g) for g in old_graphs]
        live = np.bincount(graph_of[graph_of != NO_GRAPH], minlength=len(graphs))
        for i, g in enumerate(graphs):
            g["live"] = int(live[i])
        # A graph mostly of dead entries is rebuilt from its live rows (then it holds no dead).
        for i, g in enumerate(graphs):
            if g["entries"] and g["live"] < (1 - COMPACT_SHARE) * g["entries"]:
                members = np.flatnonzero(graph_of == i)
                graph_of[members] = NO_GRAPH  # added again below, newest graph first
                g["entries"] = g["live"] = 0
    todo = np.flatnonzero(graph_of == NO_GRAPH)
    # Fill the newest graph (when there is room), then new ones.
    open_graph: Index | None = None
    open_at = -1
    if graphs and graphs[-1]["entries"] < GRAPH_CAPACITY and graphs[-1]["entries"]:
        open_at = len(graphs) - 1
        open_graph = Index.restore(str(folder / graphs[open_at]["file"]), view=False)
        if open_graph is not None:
            dead_keys = _dead_keys(open_graph, all_keys, graph_of, open_at)
            if len(dead_keys):
                open_graph.remove(dead_keys)
    done = 0
    step = 50_000
    while done < len(todo) or open_graph is not None:
        if open_graph is None:
            open_graph = _new_graph(rows.width)
            graphs.append({"file": "", "entries": 0, "live": 0})
            open_at = len(graphs) - 1
        room = GRAPH_CAPACITY - len(open_graph)
        take = todo[done : done + min(room, len(todo) - done)]
        for start in range(0, len(take), step):
            part = take[start : start + step]
            block = rows.take(part).astype(np.float32)
            open_graph.add(all_keys[part], block, threads=0)
            graph_of[part] = open_at
            if on_progress:
                on_progress(done + start + len(part), len(todo))
        done += len(take)
        name = f"g{version}-{open_at}.usearch"
        open_graph.save(str(folder / name))
        graphs[open_at] = {"file": name, "entries": int(len(open_graph)),
                           "live": int((graph_of == open_at).sum())}  # fmt: skip
        slot_of[graph_of == open_at] = -1  # found again in the file just written
        open_graph = None
        memory_return()  # the graph's memory, before the next one is built
        if done >= len(todo):
            break
    for i, g in enumerate(graphs):
        members = np.flatnonzero((graph_of == i) & (slot_of < 0))
        if g["entries"] and len(members):
            slot_of[members] = _slots_in_file(folder / g["file"], all_keys[members])
    np.save(new_dir / "slot_of.npy", slot_of)
    # Graphs emptied by a compaction go; the others are renumbered in order.
    kept = [i for i, g in enumerate(graphs) if g["entries"]]
    renumber = np.full(NO_GRAPH + 1, NO_GRAPH, dtype=np.uint16)
    renumber[kept] = np.arange(len(kept), dtype=np.uint16)
    np.save(new_dir / "graph_of.npy", renumber[graph_of])
    return [graphs[i] for i in kept]


def _load_or_none(path: Path) -> np.ndarray | None:
    try:
        found: np.ndarray = np.load(path)
    except FileNotFoundError:
        return None
    return found


def graph_region(data: Any, dim: int) -> np.ndarray | None:
    """The int8 vectors at the start of a usearch file's bytes (a buffer such as its mmap), one
    row per slot: a header of two uint32 (slots, bytes per vector), then the rows. None if it is
    not so."""
    if len(data) < 8 or not dim:
        return None
    slots, width = (int(v) for v in np.frombuffer(data, dtype="<u4", count=2))
    if width != dim or 8 + slots * width > len(data):
        return None
    return np.frombuffer(data, dtype=np.int8, count=slots * dim, offset=8).reshape(slots, dim)


def _slots_in_file(path: Path, keys: np.ndarray) -> np.ndarray:
    """Each key's slot among the int8 rows stored in the usearch file at `path`: the graph gives
    each key's row and the rows are matched by content (a fingerprint, then byte for byte). Two
    keys with identical rows may share one slot: their rows are the same bytes."""
    mapping = _map(path)
    view = _view(mapping) if mapping is not None else None
    if mapping is None or view is None:
        raise FileNotFoundError(path)
    region = graph_region(mapping, int(view.ndim))
    if region is None:
        raise ValueError(f"{path}: not a graph of int8 rows")
    pad = -region.shape[1] % 8
    words = (region.shape[1] + pad) // 8
    weights = np.random.default_rng(0).integers(1, 2**63, size=words, dtype=np.uint64) | 1

    def prints(matrix: np.ndarray) -> np.ndarray:
        matrix = np.pad(matrix, ((0, 0), (0, pad))) if pad else np.ascontiguousarray(matrix)
        found: np.ndarray = (matrix.view(np.uint64) * weights).sum(axis=1)
        return found

    stored = np.concatenate([prints(region[start : start + EXACT_STEP])
                             for start in range(0, len(region), EXACT_STEP)])  # fmt: skip
    order = np.argsort(stored, kind="stable")
    ranked = stored[order]
    slots = np.empty(len(keys), dtype=np.int32)
    for start in range(0, len(keys), EXACT_STEP):
        part = keys[start : start + EXACT_STEP]
        got = np.asarray(view.get(part, dtype="i8")).reshape(len(part), region.shape[1])
        at = np.minimum(np.searchsorted(ranked, prints(got)), len(ranked) - 1)
        found = order[at]
        if not np.array_equal(region[found], got):
            raise ValueError(f"{path}: a key's row is not among the stored rows")
        slots[start : start + len(part)] = found
    del view
    mapping.madvise(mmap.MADV_DONTNEED)
    return slots


def _dead_keys(graph: Index, all_keys: np.ndarray, graph_of: np.ndarray, at: int) -> np.ndarray:
    """The keys in this graph whose live entry is elsewhere, or gone."""
    keys = np.asarray(graph.keys, dtype=np.uint64)
    rows = np.minimum(np.searchsorted(all_keys, keys), max(0, len(all_keys) - 1))
    alive = (all_keys[rows] == keys) & (graph_of[rows] == at)
    # Rows still waiting to be added (NO_GRAPH) get a fresh entry: their old one goes.
    dead: np.ndarray = keys[~alive]
    return dead


def _graphs_of(folder: Path | None) -> list[dict[str, Any]]:
    if folder is None:
        return []
    try:
        return list(json.loads((folder / "graphs.json").read_text()))
    except FileNotFoundError:
        return []


def _versions(root: Path) -> list[int]:
    return [
        int(child.name[1:])
        for child in root.iterdir()
        if child.is_dir() and child.name[:1] == "v" and child.name[1:].isdigit()
    ]


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
    used: set[str] = set()
    for version in _versions(root):
        if version not in keep:
            shutil.rmtree(root / f"v{version}", ignore_errors=True)
        else:
            used |= {g["file"] for g in _graphs_of(root / f"v{version}")}
    for file in (root / "graphs").glob("*.usearch") if (root / "graphs").is_dir() else ():
        if file.name not in used:
            file.unlink(missing_ok=True)
    (root / "hnsw.usearch").unlink(missing_ok=True)


def vectors_state_save(root: Path, state: dict[str, Any]) -> None:
    """Record how far the indexer read when it found nothing new to publish (same version)."""
    manifest = _read_manifest(root)
    if manifest is not None and manifest.get("state") != state:
        write_json_atomic(root / MANIFEST, {**manifest, "state": state})


def vectors_state(root: Path) -> dict[str, Any]:
    """The indexer's own bookkeeping saved with the live version ({} before the first one, and
    for a version of an older layout, which the indexer then rebuilds)."""
    manifest = _read_manifest(root)
    if not manifest or manifest.get("layout") != LAYOUT:
        return {}
    return dict(manifest.get("state", {}))


@dataclass
class _Graph:
    name: str  # its file
    view: Index
    mapping: mmap.mmap
    region: np.ndarray | None  # its int8 rows, one per slot (the file's own pages)
    quick: Index | None = None  # a second view, searched with EXPANSION_SIMILAR


@dataclass
class _Version:
    """One published version as a reader opened it. A search reads the version once and works on
    it alone, so a switch to the next one (another thread's refresh) never mixes the two."""

    number: int = 0
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    store: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float16))
    graph_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint16))
    slot_of: np.ndarray | None = None  # row i's slot in its graph's int8 rows
    graphs: list[_Graph] = field(default_factory=list)
    quick: list[Index] | None = None

    @property
    def count(self) -> int:
        return int(len(self.keys))

    def rows(self, rows: np.ndarray) -> np.ndarray:
        found = np.asarray(np.take(self.store, np.asarray(rows, dtype=np.intp), axis=0),
                           dtype=np.float16)  # fmt: skip
        self.release()
        return found

    def release(self) -> None:
        """Drop the row file's pages from this process's mapping (they stay in the page cache)."""
        mapping = getattr(self.store, "_mmap", None)
        if mapping is not None:
            mapping.madvise(mmap.MADV_DONTNEED)

    def rows_of(self, pids: np.ndarray) -> np.ndarray:
        """Each paper's row (-1 for a paper without a vector)."""
        if not self.count:
            return np.full(len(pids), -1, dtype=np.intp)
        rows = np.minimum(np.searchsorted(self.keys, pids), self.count - 1)
        return np.where(self.keys[rows] == pids, rows, -1)

    def quick_views(self) -> list[Index]:
        """Second memory-mapped views of the graphs (the same pages in memory), searched with
        EXPANSION_SIMILAR; opened on first use, and kept with their graph across versions."""
        if self.quick is None:
            quick = []
            for graph in self.graphs:
                if graph.quick is None:
                    view = _view(graph.mapping)
                    if view is None:
                        return [g.view for g in self.graphs]
                    ef = min(EXPANSION_SIMILAR, int(graph.view.expansion_search))
                    view.expansion_search = ef  # type: ignore[misc]
                    graph.quick = view
                quick.append(graph.quick)
            self.quick = quick
        return self.quick


class VectorIndex:
    """The live version of one model's vectors, opened read-only and memory-mapped."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._stamp: float | None = None
        self._live = _Version()
        self.refresh()

    @property
    def version(self) -> int:
        return self._live.number

    @property
    def keys(self) -> np.ndarray:
        return self._live.keys

    @property
    def count(self) -> int:
        return self._live.count

    @property
    def dim(self) -> int:
        store = self._live.store
        return int(store.shape[1]) if store.ndim == 2 else 0

    @property
    def graphs(self) -> list[_Graph]:
        return self._live.graphs

    @property
    def graph(self) -> Index | None:
        """The first graph (None when the collection is searched exactly)."""
        graphs = self._live.graphs
        return graphs[0].view if graphs else None

    @property
    def expansion(self) -> int:
        """The largest search effort among the graphs."""
        return max((int(g.view.expansion_search) for g in self._live.graphs), default=0)

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """These rows' vectors (float16), in the order asked."""
        return self._live.rows(rows)

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
            live = _Version(
                number=int(manifest["version"]),
                keys=np.load(folder / "keys.npy", mmap_mode="r"),
                store=np.load(folder / "vectors.npy", mmap_mode="r"),
            )
            if manifest.get("layout") == LAYOUT:
                # A graph file never changes: one the open version maps already is kept (opening
                # a view reads the whole file, a second or so for a million papers).
                opened = {g.name: g for g in self._live.graphs}
                for entry in _graphs_of(folder):
                    if entry["file"] in opened:
                        live.graphs.append(opened[entry["file"]])
                        continue
                    mapping = _map(self.root / "graphs" / entry["file"])
                    view = _view(mapping) if mapping is not None else None
                    if mapping is None or view is None:
                        raise FileNotFoundError(entry["file"])
                    view.expansion_search = expansion_for(int(entry["entries"]))  # type: ignore[misc]
                    region = graph_region(mapping, int(manifest.get("dim", 0)))
                    live.graphs.append(_Graph(entry["file"], view, mapping, region))
                if live.graphs:
                    live.graph_of = np.load(folder / "graph_of.npy", mmap_mode="r")
                    if (folder / "slot_of.npy").exists() and all(
                        g.region is not None for g in live.graphs
                    ):
                        live.slot_of = np.load(folder / "slot_of.npy", mmap_mode="r")
        except FileNotFoundError:
            return  # replaced again while we looked: the next call opens the newer one
        self._live, self._stamp = live, stamp

    def vector(self, pid: int) -> np.ndarray | None:
        found, vectors = self.lookup([pid])
        return vectors[0] if len(found) else None

    def lookup(self, pids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(the papers among these that have a vector, their vectors as float32 rows)."""
        live = self._live
        wanted = np.asarray(pids, dtype=np.uint64)
        rows = live.rows_of(wanted)
        present = rows >= 0
        return wanted[present], live.rows(rows[present]).astype(np.float32).reshape(
            int(present.sum()), self.dim
        )

    def similarities(self, query: np.ndarray, pids: Sequence[int]) -> dict[int, float]:
        """The cosine similarity of each of these papers to the query; papers without a vector
        are left out. Hybrid fusion scores the keyword candidates the semantic list missed."""
        found, matrix = self.lookup(pids)
        if not len(found):
            return {}
        scores = matrix @ np.asarray(query, dtype=np.float32)
        return {int(p): float(s) for p, s in zip(found, scores, strict=True)}

    def search(
        self, query: np.ndarray, k: int, *, quick: bool = False, approximate: bool = False
    ) -> list[tuple[int, float]]:
        """The k nearest papers by cosine similarity, best first (`quick`: a smaller search
        effort, for lists where a missed neighbour matters little). With graphs: the best
        candidates of every graph by their int8 scores, re-scored exactly from float16 rows;
        `approximate` keeps the int8 order and scores (a caller that filters many candidates
        re-scores only those it keeps, with `similarities`)."""
        live = self._live
        if k <= 0 or not live.count:
            return []
        if not live.graphs:
            return _search_rows(live, query, np.arange(live.count), k)
        q = np.asarray(query, dtype=np.float32)
        views = live.quick_views() if quick else [g.view for g in live.graphs]
        fetch = max(k, RESCORE)
        found_rows, found_dist = [], []
        for at, view in enumerate(views):
            matches = view.search(q, min(fetch, len(view)))
            keys = np.asarray(matches.keys, dtype=np.uint64)
            rows = np.minimum(np.searchsorted(live.keys, keys), live.count - 1)
            alive = (live.keys[rows] == keys) & (live.graph_of[rows] == at)
            found_rows.append(rows[alive])
            found_dist.append(np.asarray(matches.distances, dtype=np.float32)[alive])
        rows, distances = np.concatenate(found_rows), np.concatenate(found_dist)
        if approximate:
            order = np.argsort(distances, kind="stable")[:k]
            return [(int(live.keys[rows[i]]), 1.0 - float(distances[i])) for i in order]
        if len(rows) > fetch:  # the best `fetch` of all graphs by their int8 scores
            rows = rows[np.argpartition(distances, fetch - 1)[:fetch]]
        rows = np.sort(rows)
        scores = live.rows(rows).astype(np.float32) @ q
        best = np.argsort(-scores, kind="stable")[:k]
        return [(int(live.keys[rows[i]]), float(scores[i])) for i in best]

    def search_among(self, query: np.ndarray, pids: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Exact nearest papers within a given set (a filter that leaves few papers)."""
        live = self._live
        rows = live.rows_of(np.asarray(pids, dtype=np.uint64))
        return _scan(live, query, np.unique(rows[rows >= 0]), k)

    def rows_of(self, pids: Sequence[int]) -> np.ndarray:
        """Each paper's row in the index (-1 for a paper without a vector)."""
        return self._live.rows_of(np.asarray(pids, dtype=np.uint64))

    def search_rows(self, query: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Exact search over these rows of the live version (unique, ascending)."""
        return _scan(self._live, query, rows, k)


def _scan(live: _Version, query: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Exact search among these rows (unique, ascending). With graphs, their int8 rows (pages a
    server holds anyway) are scanned and the best candidates re-scored from the float16 rows,
    so that a scan of many rows does not fault in a float16 page for each."""
    if live.slot_of is None or not len(rows):
        return _search_rows(live, query, rows, k)
    fetch = max(2 * k, RESCORE)
    q = np.asarray(query, dtype=np.float32)
    q8 = np.clip(np.rint(q / max(float(np.abs(q).max()), 1e-9) * 127), -127, 127).astype(np.int8)
    found_rows, found_dist = [], []
    graph_of = np.asarray(live.graph_of[rows])
    for at, graph in enumerate(live.graphs):
        members = rows[graph_of == at]
        assert graph.region is not None  # slot_of is only loaded with every region
        for start in range(0, len(members), EXACT_STEP):
            chunk = members[start : start + EXACT_STEP]
            block = np.take(graph.region, live.slot_of[chunk], axis=0)
            matches = exact_search(block, q8.reshape(1, -1), min(fetch, len(chunk)),
                                   MetricKind.IP, exact=True, threads=1)  # fmt: skip
            found_rows.append(chunk[np.asarray(matches.keys, dtype=np.intp)])
            found_dist.append(np.asarray(matches.distances, dtype=np.float32))
    candidates = np.concatenate(found_rows)
    if len(candidates) > fetch:
        candidates = candidates[np.argpartition(np.concatenate(found_dist), fetch - 1)[:fetch]]
    candidates = np.sort(candidates)
    scores = live.rows(candidates).astype(np.float32) @ q
    best = np.argsort(-scores, kind="stable")[:k]
    return [(int(live.keys[candidates[i]]), float(scores[i])) for i in best]


def _search_rows(
    live: _Version, query: np.ndarray, rows: np.ndarray, k: int
) -> list[tuple[int, float]]:
    """Exact search over these rows (unique, ascending) with usearch's SIMD float16 kernel:
    ~4x faster than numpy, whose float16-to-float32 conversion dominates a long scan."""
    if not len(rows):
        return []
    q = np.asarray(query, dtype=np.float16).reshape(1, -1)
    k = min(k, len(rows))
    # Rows are unique, so this is every row, in order: the file is read as it lies.
    whole = len(rows) == live.count
    found: list[tuple[int, float]] = []
    for start in range(0, len(rows), EXACT_STEP):
        chunk = rows[start : start + EXACT_STEP]
        block = live.store[start : start + len(chunk)] if whole else live.rows(chunk)
        matches = exact_search(np.ascontiguousarray(block), q, min(k, len(chunk)),
                               MetricKind.IP, exact=True, threads=1)  # fmt: skip
        found += [
            (int(live.keys[chunk[int(i)]]), 1.0 - float(d))
            for i, d in zip(matches.keys, matches.distances, strict=True)
        ]
        live.release()
    found.sort(key=lambda hit: -hit[1])
    return found[:k]
