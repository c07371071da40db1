"""The published vector index: versions, exact and graph search, subsets, reloads."""

from __future__ import annotations

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
    assert index._quick is not None and index._quick is not index.graph
    assert index._quick.expansion_search == vectors_module.EXPANSION_SIMILAR
    assert index.graph.expansion_search == vectors_module.expansion_for(len(real_vectors))
    assert np.mean(quick_recall) >= 0.9
    # Lookups read the graph's own copy of the vectors: the same values as the flat copy.
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
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["v1", "v2"]
    vectors_publish(tmp_path, model="m", keys=new_keys[:1], vectors=new_vectors[:1])
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["v2", "v3"]


@pytest.mark.usefixtures("small_graphs")
def test_readers_read_rows_from_the_graph_file(tmp_path: Path, real_vectors: np.ndarray) -> None:
    keys = np.arange(1, 801, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:800])
    # replace ten vectors and remove twenty papers: the graph reuses the freed slots
    new_keys = np.arange(1, 11, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=new_keys, vectors=real_vectors[1000:1010],
                    removed=np.arange(500, 520, dtype=np.uint64))  # fmt: skip
    reader = VectorIndex(tmp_path)
    folder = tmp_path / f"v{reader.version}"
    flat = np.load(folder / "vectors.npy")
    assert reader._slots is not None and reader.count == len(flat) == 780
    assert not np.array_equal(reader._slots, np.arange(780))  # the file's order is not the keys'
    assert np.array_equal(reader.rows(np.arange(780)).view(np.uint16), flat.view(np.uint16))
    found, matrix = reader.lookup([3, 505, 700])
    assert found.tolist() == [3, 700]
    assert np.array_equal(matrix[0], real_vectors[1002].astype(np.float32))
    query = real_vectors[1003].astype(np.float32)
    among = np.arange(1, 400, dtype=np.uint64)
    best = reader.search_among(query, among, 5)
    assert [pid for pid, _ in best] == [int(among[i]) for i in exact_top(flat[:399], query, 5)]
    assert best[0][0] == 4


@pytest.mark.usefixtures("small_graphs")
def test_without_a_slot_map_readers_use_the_flat_copy(
    tmp_path: Path, real_vectors: np.ndarray
) -> None:
    keys = np.arange(1, 301, dtype=np.uint64)
    vectors_publish(tmp_path, model="m", keys=keys, vectors=real_vectors[:300])
    folder = tmp_path / "v1"
    other = real_vectors[300:600]
    assert vectors_module.graph_slots(folder / "hnsw.usearch", other) is None  # not these
    assert vectors_module.graph_slots(folder / "vectors.npy", real_vectors[:300]) is None
    (folder / "slots.npy").unlink()  # as written before slot maps existed
    reader = VectorIndex(tmp_path)
    assert reader._slots is None and reader.graph is not None
    assert np.array_equal(reader.rows(np.array([7, 2])), real_vectors[[7, 2]])
    assert reader.search(real_vectors[9].astype(np.float32), 1)[0][0] == 10


def test_a_reader_before_any_version_finds_nothing(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path / "nothing")
    assert index.count == 0
    assert index.search(np.ones(384, dtype=np.float32), 10) == []
    assert index.vector(1) is None


def test_the_search_effort_grows_with_the_collection() -> None:
    from paperfeed.search.vectors import EXPANSION_SEARCH, SMALL_EXPANSION, expansion_for

    assert expansion_for(20_000) == expansion_for(150_000) == SMALL_EXPANSION
    assert SMALL_EXPANSION < expansion_for(500_000) < EXPANSION_SEARCH
    assert expansion_for(1_000_000) == expansion_for(3_000_000) == EXPANSION_SEARCH
