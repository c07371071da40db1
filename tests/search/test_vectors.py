"""The published vector index: versions, exact and graph search, subsets, reloads."""

from __future__ import annotations

import gzip
import itertools
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from paperfeed.search import vectors as vectors_module
from paperfeed.search.vectors import VectorIndex, vectors_publish, vectors_state
from tests.support import SHARED_DATA


@pytest.fixture(scope="module")
def real_vectors() -> np.ndarray:
    """The first 6,000 real MiniLM vectors of the sample."""
    path = SHARED_DATA / "arxiv" / "arxiv-sample-75k.minilm-l6-v2.f16.npy"
    return np.load(path, mmap_mode="r")[:6_000].astype(np.float16)


@pytest.fixture
def small_graphs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build the HNSW graph from 100 vectors on, so that tests need not index 20,000."""
    monkeypatch.setattr(vectors_module, "EXACT_BELOW", 100)


@pytest.fixture(scope="module")
def sample_queries(models_dir: Path) -> np.ndarray:
    """100 searches as readers type them (spans of the titles of the papers indexed), encoded by
    the bundled model."""
    from paperfeed.search.embedding import embedder_load

    rng = np.random.default_rng(3)
    with gzip.open(SHARED_DATA / "arxiv" / "arxiv-sample-75k.jsonl.gz", "rt") as lines:
        titles = [json.loads(line)["title"].split() for line in itertools.islice(lines, 6_000)]
    texts = []
    for row in rng.choice(len(titles), 100, replace=False):
        words = titles[row]
        size = min(len(words), int(rng.integers(2, 6)))
        start = int(rng.integers(0, len(words) - size + 1))
        texts.append(" ".join(words[start : start + size]))
    embedder = embedder_load(backend="onnx", cache_dir=models_dir)
    return np.stack([embedder.encode_query(text) for text in texts]).astype(np.float32)


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = vectors.astype(np.float32) @ query
    return [int(i) for i in np.argsort(-scores)[:k]]


def test_a_small_collection_is_searched_exactly(tmp_path: Path, real_vectors: np.ndarray) -> None:
    keys = np.arange(100, 1100, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:1000])
    index = VectorIndex(tmp_path)
    assert index.graph is None and index.count == 1000
    query = real_vectors[5].astype(np.float32)
    found = index.search(query, 10)
    assert [pid for pid, _ in found] == [100 + i for i in exact_top(real_vectors[:1000], query, 10)]
    assert found[0][0] == 105 and found[0][1] == pytest.approx(1.0, abs=1e-3)


@pytest.mark.usefixtures("small_graphs")
def test_the_graph_finds_what_exact_search_finds(tmp_path: Path, real_vectors: np.ndarray) -> None:
    keys = np.arange(1, len(real_vectors) + 1, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors)
    index = VectorIndex(tmp_path)
    assert index.graph is not None
    rng = np.random.default_rng(7)
    recall, quick_recall = [], []
    for row in rng.choice(len(real_vectors), 50, replace=False):
        query = real_vectors[row].astype(np.float32) + rng.normal(0, 0.03, 384).astype(np.float32)
        query /= np.linalg.norm(query)
        truth = {i + 1 for i in exact_top(real_vectors, query, 10)}
        recall.append(len(truth & {pid for pid, _ in index.search(query, 10)}) / 10)
        quick_recall.append(len(truth & {p for p, _ in index.search(query, 10, quick=True)}) / 10)
    assert np.mean(recall) >= 0.95
    # The quick search (similar papers) is a second view of the same graph, with its own ef.
    assert index._live.quick is not None and index._live.quick[0] is not index.graph
    assert index._live.quick[0].expansion_search == min(
        vectors_module.EXPANSION_SIMILAR, vectors_module.expansion_for(len(real_vectors))
    )
    assert index.graph.expansion_search == vectors_module.expansion_for(len(real_vectors))
    assert np.mean(quick_recall) >= 0.9
    found, matrix = index.lookup([3, 999_999, 4000])
    assert list(found) == [3, 4000]
    assert np.array_equal(matrix, real_vectors[[2, 3999]].astype(np.float32))


def test_search_among_a_subset_is_exact(tmp_path: Path, real_vectors: np.ndarray) -> None:
    keys = np.arange(1, 2001, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:2000])
    index = VectorIndex(tmp_path)
    subset = np.array([7, 70, 700, 1999, 5000], dtype=np.uint64)  # 5000 is not in the index
    query = real_vectors[69].astype(np.float32)
    found = index.search_among(query, subset, 10)
    assert [pid for pid, _ in found][0] == 70
    assert {pid for pid, _ in found} == {7, 70, 700, 1999}


def test_exact_search_over_many_rows_matches_brute_force(
    tmp_path: Path, real_vectors: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors_module, "EXACT_STEP", 256)  # several chunks, merged
    keys = np.arange(1, 3001, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:3000])
    index = VectorIndex(tmp_path)
    subset = np.arange(1, 3001, 2, dtype=np.uint64)  # the odd keys: rows 0, 2, 4, ...
    query = real_vectors[4000].astype(np.float32)
    scores = real_vectors[:3000:2].astype(np.float32) @ query
    truth = np.sort(scores)[::-1][:20]
    found = index.search_among(query, subset, 20)
    assert all(pid % 2 == 1 for pid, _ in found)
    assert [s for _, s in found] == pytest.approx(list(truth), abs=2e-3)
    whole = index.search(query, 20)  # every row, no graph: the same kernel without a gather
    every = np.sort(real_vectors[:3000].astype(np.float32) @ query)[::-1][:20]
    assert [s for _, s in whole] == pytest.approx(list(every), abs=2e-3)


@pytest.mark.usefixtures("small_graphs")
def test_a_new_version_adds_replaces_and_removes(tmp_path: Path, real_vectors: np.ndarray) -> None:
    keys = np.arange(1, 501, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:500],
                    state={"after": ["x", 1]})  # fmt: skip
    reader = VectorIndex(tmp_path)
    assert reader.version == 1 and vectors_state(tmp_path) == {"after": ["x", 1]}
    # paper 3 gets paper 600's vector; papers 501..510 are new; paper 4 is gone
    new_keys = np.array([3, *range(501, 511)], dtype=np.uint64)
    new_vectors = real_vectors[[600, *range(501, 511)]]
    vectors_publish(tmp_path, model="m", keys=new_keys, vectors=new_vectors,
                    removed=np.array([4], dtype=np.uint64))  # fmt: skip
    assert reader.version == 1  # not yet looked
    reader.refresh()
    assert reader.version == 2 and reader.count == 509
    assert reader.vector(4) is None
    assert np.allclose(reader.vector(3), real_vectors[600].astype(np.float32))
    assert reader.search(real_vectors[600].astype(np.float32), 1)[0][0] == 3
    assert reader.search(real_vectors[505].astype(np.float32), 1)[0][0] == 505
    assert 4 not in {pid for pid, _ in reader.search(real_vectors[3].astype(np.float32), 20)}
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["graphs", "v1", "v2"]
    vectors_publish(tmp_path, model="m", keys=new_keys[:1], vectors=new_vectors[:1])
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["graphs", "v2", "v3"]


@pytest.mark.usefixtures("small_graphs")
def test_int8_graphs_rescored_return_the_exact_top_ten(
    tmp_path: Path, real_vectors: np.ndarray, sample_queries: np.ndarray
) -> None:
    """The sample's own search queries, encoded by the model: the int8 graph's best candidates
    re-scored from the float16 rows are the top 10 of exact search, in the same order."""
    keys = np.arange(1, len(real_vectors) + 1, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors)
    index = VectorIndex(tmp_path)
    assert index.graph is not None and str(index.graph.dtype).endswith("I8")
    same, recall = 0, []
    queries = sample_queries
    for query in queries:
        truth = [i + 1 for i in exact_top(real_vectors, query, 10)]
        found = index.search(query, 10)
        same += [pid for pid, _ in found] == truth
        recall.append(len({pid for pid, _ in found} & set(truth)) / 10)
        # scores are exact cosines from the float16 rows, not the int8 estimates
        assert found[0][1] == pytest.approx(
            float(real_vectors[found[0][0] - 1].astype(np.float32) @ query), abs=1e-5
        )
    # (the graph is built by several threads, so a run may differ from the next by a paper)
    assert np.mean(recall) >= 0.99 and same >= 0.9 * len(queries)


@pytest.mark.usefixtures("small_graphs")
def test_graphs_hold_at_most_their_capacity_and_changes_go_to_the_newest(
    tmp_path: Path, real_vectors: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vectors_module, "GRAPH_CAPACITY", 1_000)
    keys = np.arange(1, 2_501, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:2_500])
    reader = VectorIndex(tmp_path)
    sizes = [len(g.view) for g in reader.graphs]
    assert sizes == [1_000, 1_000, 500]
    rng = np.random.default_rng(5)
    replaced: dict[int, int] = {}  # paper id -> the row of real_vectors it holds now

    def vector_of(pid: int) -> np.ndarray:
        return real_vectors[replaced.get(pid, pid - 1)].astype(np.float32)

    def scans_are_exact() -> None:
        """A scan of some rows (a filter) reads the graphs' int8 rows, re-scored: the same top
        5 as exact search over the float16 rows."""
        assert reader._live.slot_of is not None
        keys = reader.keys
        subset = np.sort(rng.choice(keys, 400, replace=False))
        for row in rng.choice(len(keys), 5, replace=False):
            query = vector_of(int(keys[row]))
            truth = {int(pid): float(vector_of(int(pid)) @ query) for pid in subset}
            best = sorted(truth, key=lambda pid: -truth[pid])[:5]
            assert [pid for pid, _ in reader.search_among(query, subset, 5)] == best

    scans_are_exact()
    first_files = sorted(p.name for p in (tmp_path / "graphs").iterdir())
    opened = list(reader.graphs)
    # A day: 100 new papers, paper 5 (in the first graph) changed, paper 6 removed.
    new_keys = np.array([5, *range(2_501, 2_601)], dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=new_keys,
                    vectors=real_vectors[[5_000, *range(2_500, 2_600)]],
                    removed=np.array([6], dtype=np.uint64))  # fmt: skip
    reader.refresh()
    replaced[5] = 5_000
    assert reader.count == 2_599 and reader.version == 2
    assert [len(g.view) for g in reader.graphs] == [1_000, 1_000, 601]
    scans_are_exact()
    files = json.loads((tmp_path / "v2" / "graphs.json").read_text())
    # Only the newest graph was written again; the others are the same files.
    assert [f["file"] for f in files[:2]] == [f for f in first_files if f.startswith("g1-")][:2]
    assert files[2]["file"].startswith("g2-")
    # A reader keeps the graphs it had open: only the rewritten one is opened again.
    assert reader.graphs[0] is opened[0] and reader.graphs[1] is opened[1]
    assert reader.graphs[2] is not opened[2]
    assert reader.search(real_vectors[5_000].astype(np.float32), 1)[0][0] == 5
    assert reader.search(real_vectors[5].astype(np.float32), 1)[0][0] != 6
    assert 6 not in {p for p, _ in reader.search(real_vectors[5].astype(np.float32), 50)}
    assert reader.search(real_vectors[2_550].astype(np.float32), 1)[0][0] == 2_551
    # Old entries of papers 5 and 6 are dead in the first graph: a search never returns the
    # old vector of paper 5.
    hits = dict(reader.search(real_vectors[4].astype(np.float32), 5))
    assert hits.get(5, 0.0) < 0.99
    # Removing most of the first graph's papers rebuilds it from its live rows.
    vectors_publish(tmp_path, model="m", keys=np.zeros(0, dtype=np.uint64),
                    vectors=np.zeros((0, 384), dtype=np.float16),
                    removed=np.arange(10, 400, dtype=np.uint64))  # fmt: skip
    reader.refresh()
    assert reader.count == 2_599 - 390
    scans_are_exact()
    assert sum(len(g.view) for g in reader.graphs) == reader.count
    for row in (0, 700, 1_500, 2_555):
        query = real_vectors[row].astype(np.float32)
        assert reader.search(query, 1)[0][0] == row + 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["graphs", "v2", "v3"]
    used = {
        f["file"]
        for v in ("v2", "v3")
        for f in json.loads((tmp_path / v / "graphs.json").read_text())
    }
    assert {p.name for p in (tmp_path / "graphs").iterdir()} == used


@pytest.mark.usefixtures("small_graphs")
def test_a_version_of_the_older_layout_is_searched_exactly(
    tmp_path: Path, real_vectors: np.ndarray
) -> None:
    keys = np.arange(1, 301, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:300], state={"a": 1})
    manifest = json.loads((tmp_path / "current.json").read_text())
    del manifest["layout"]  # as written before int8 graphs
    (tmp_path / "current.json").write_text(json.dumps(manifest))
    reader = VectorIndex(tmp_path)
    assert reader.graph is None and reader.count == 300
    assert reader.search(real_vectors[9].astype(np.float32), 1)[0][0] == 10
    assert vectors_state(tmp_path) == {}  # so the indexer publishes everything again
    vectors_publish(tmp_path, model="m", keys=keys[:200], vectors=real_vectors[:200])
    reader.refresh()
    assert reader.count == 200 and reader.graph is not None


@pytest.mark.usefixtures("small_graphs")
def test_a_version_switch_mid_query_returns_a_complete_answer(
    tmp_path: Path, real_vectors: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Servers with threads: one thread reopens the index while others search. Every answer is
    whole and from one version: k papers, each present in it, best first, exact scores."""
    monkeypatch.setattr(vectors_module, "GRAPH_CAPACITY", 700)
    vectors_publish(tmp_path, model="m", keys=np.arange(1, 1_501, dtype=np.uint64),
                    vectors=real_vectors[:1_500])  # fmt: skip
    reader = VectorIndex(tmp_path)
    stop = threading.Event()
    published: list[int] = [1_500]

    def indexer() -> None:  # each version: 50 new papers and 50 removed, graphs rewritten
        while not stop.is_set() and published[-1] < 4_000:
            last = published[-1]
            gone = np.arange(last - 1_499, last - 1_449, dtype=np.uint64)
            vectors_publish(tmp_path, model="m",
                            keys=np.arange(last + 1, last + 51, dtype=np.uint64),
                            vectors=real_vectors[last : last + 50], removed=gone)  # fmt: skip
            published.append(last + 50)

    def refresher() -> None:
        while not stop.is_set():
            reader.refresh()

    threads = [threading.Thread(target=indexer), threading.Thread(target=refresher)]
    for thread in threads:
        thread.start()
    answers = 0
    seen = set()
    try:
        while published[-1] < 4_000 and answers < 3_000:
            row = answers % 3_500
            query = real_vectors[row].astype(np.float32)
            found = reader.search(query, 10)
            answers += 1
            seen.add(reader.version)
            assert len(found) == 10
            scores = [score for _, score in found]
            assert scores == sorted(scores, reverse=True)
            for pid, score in found:
                expected = float(real_vectors[pid - 1].astype(np.float32) @ query)
                assert score == pytest.approx(expected, abs=1e-4)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert len(seen) >= 3  # the searches did run across switches


def test_a_reader_does_not_keep_the_rows_it_read(tmp_path: Path, real_vectors: np.ndarray) -> None:
    """Rows are read through a map whose pages are dropped after each search: they do not pile
    up in the server process's resident memory (they stay in the OS page cache)."""
    keys = np.arange(1, len(real_vectors) + 1, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors)
    index = VectorIndex(tmp_path)
    path = str(tmp_path / "v1" / "vectors.npy")
    index.search(real_vectors[1].astype(np.float32), 10)  # an exact scan of every row
    index.lookup(list(range(1, 6_000, 3)))

    def resident_kb() -> int:
        total, inside = 0, False
        for line in Path("/proc/self/smaps").read_text().splitlines():
            head = line.split()
            if head and "-" in head[0] and len(head) >= 5:
                inside = line.endswith(path)
            elif inside and head[0] == "Rss:":
                total += int(head[1])
        return total

    assert resident_kb() <= 8
    assert index.rows(np.array([3, 1])).tolist() == real_vectors[[3, 1]].tolist()


def test_a_reader_before_any_version_finds_nothing(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path / "nothing")
    assert index.count == 0
    assert index.search(np.ones(384, dtype=np.float32), 10) == []
    assert index.vector(1) is None


def test_the_search_effort_grows_with_the_graph() -> None:
    from paperfeed.search.vectors import (
        EXPANSION_SEARCH,
        GRAPH_CAPACITY,
        SMALL_EXPANSION,
        SMALL_GRAPH,
        expansion_for,
    )

    assert expansion_for(20_000) == expansion_for(SMALL_GRAPH) == SMALL_EXPANSION
    assert SMALL_EXPANSION < expansion_for((SMALL_GRAPH + GRAPH_CAPACITY) // 2) < EXPANSION_SEARCH
    assert expansion_for(GRAPH_CAPACITY) == EXPANSION_SEARCH
