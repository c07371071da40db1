"""The embedder: ONNX int8 and torch backends of the bundled model, offline."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from paperfeed.search.embedding import (
    DEFAULT_MODEL,
    Embedder,
    EmbeddingError,
    ModelSource,
    embedder_load,
    model_slug,
    model_source,
    onnx,
    paper_text,
)
from paperfeed.search.embedding.torch import (
    TorchEmbedder,
    stack_padded,
    tokenizer_processes_default,
)
from tests.support import SHARED_DATA

SAMPLE = SHARED_DATA / "arxiv" / "arxiv-sample-75k.jsonl.gz"


@pytest.fixture(scope="module")
def cache_dir(models_dir: Path) -> Path:
    """The run's shared model cache (conftest): the export happens once for all modules."""
    return models_dir


@pytest.fixture(scope="module")
def onnx_embedder(cache_dir: Path) -> Embedder:
    return embedder_load(backend="onnx", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def torch_embedder(cache_dir: Path) -> Embedder:
    return embedder_load(backend="torch", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def papers() -> list[tuple[str, str]]:
    if not SAMPLE.is_file():
        pytest.fail(f"the shared sample {SAMPLE} is missing")
    with gzip.open(SAMPLE, "rt") as lines:
        records = [json.loads(line) for line in itertools.islice(lines, 12)]
    return [(" ".join(r["title"].split()), " ".join(r["abstract"].split())) for r in records]


def test_paper_text_joins_title_and_abstract() -> None:
    assert paper_text("Deep nets", "We study them.") == "Deep nets. We study them."


def test_it_gives_unit_vectors_of_the_model_dimension(onnx_embedder: Embedder) -> None:
    vectors = onnx_embedder.encode_documents(["a short one", "a slightly longer text " * 40])
    assert onnx_embedder.model_name == DEFAULT_MODEL
    assert onnx_embedder.backend == "onnx-int8"
    assert vectors.shape == (2, onnx_embedder.dim) == (2, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = onnx_embedder.encode_query("graph neural networks")
    assert query.shape == (384,) and query.dtype == np.float32
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5


def test_empty_input_gives_an_empty_array(onnx_embedder: Embedder) -> None:
    assert onnx_embedder.encode_documents([]).shape == (0, 384)


def test_onnx_and_torch_agree_on_real_abstracts(
    onnx_embedder: Embedder, torch_embedder: Embedder, papers: list[tuple[str, str]]
) -> None:
    texts = [paper_text(t, a) for t, a in papers]
    done: list[int] = []
    quantised = onnx_embedder.encode_documents(texts, batch_size=5, on_progress=done.append)
    exact = torch_embedder.encode_documents(texts, batch_size=5)
    assert sum(done) == len(texts) and len(done) == 3
    assert torch_embedder.model_name == onnx_embedder.model_name
    assert np.sum(quantised * exact, axis=1).min() > 0.99


def test_batching_does_not_change_the_vectors(
    onnx_embedder: Embedder, papers: list[tuple[str, str]]
) -> None:
    texts = [paper_text(t, a) for t, a in papers[:6]]
    together = onnx_embedder.encode_documents(texts, batch_size=6)
    alone = np.stack([onnx_embedder.encode_documents([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-6)
    np.testing.assert_allclose(onnx_embedder.encode_query(texts[2]), alone[2], atol=1e-6)


def test_tokenizer_processes_give_the_same_vectors(
    torch_embedder: Embedder, papers: list[tuple[str, str]]
) -> None:
    # Titles, and short pieces of abstracts: 150 texts, so batches of 128 take two worker jobs
    # each (64 texts a job) and the last batch one, padded together.
    texts = [t for t, _ in papers] + [a[: 40 + 7 * i] for i, (_, a) in enumerate(papers * 12)]
    texts = texts[:150]
    in_processes = TorchEmbedder(model_source(DEFAULT_MODEL), device="cpu", tokenize_processes=2)
    done: list[int] = []
    got = in_processes.encode_documents(texts, batch_size=128, on_progress=done.append)
    assert done == [128, 22]
    assert in_processes._pool is not None and in_processes.tokenize_processes == 2
    expected = torch_embedder.encode_documents(texts, batch_size=128)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_a_query_needs_no_tokenizer_pool() -> None:
    embedder = TorchEmbedder(model_source(DEFAULT_MODEL), device="cpu", tokenize_processes=2)
    vector = embedder.encode_query("graph neural networks")
    assert vector.shape == (384,) and embedder._pool is None


def test_a_cpu_embedder_tokenizes_in_threads() -> None:
    assert TorchEmbedder(model_source(DEFAULT_MODEL), device="cpu").tokenize_processes == 0
    assert tokenizer_processes_default() >= 0


def test_stacked_batches_are_padded_to_the_widest() -> None:
    one = (np.array([[101, 7, 102]]), np.array([[1, 1, 1]]))
    two_ids = np.array([[101, 102, 0, 0, 0], [101, 5, 6, 7, 102]])
    two = (two_ids, np.array([[1, 1, 0, 0, 0], [1] * 5]))
    ids, mask = stack_padded([one, two])
    assert ids.tolist() == [[101, 7, 102, 0, 0], [101, 102, 0, 0, 0], [101, 5, 6, 7, 102]]
    assert mask.tolist() == [[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 1, 1]]


def test_a_query_is_closest_to_the_paper_about_it(
    onnx_embedder: Embedder, papers: list[tuple[str, str]]
) -> None:
    vectors = onnx_embedder.encode_documents([paper_text(t, a) for t, a in papers[:8]])
    for index in (0, 3, 7):
        query = onnx_embedder.encode_query(papers[index][0].lower())
        assert int(np.argmax(vectors @ query)) == index


def test_the_exported_model_is_reused(onnx_embedder: Embedder, cache_dir: Path) -> None:
    (exported,) = cache_dir.glob(f"{DEFAULT_MODEL}/model-*.onnx")
    before = exported.stat().st_mtime_ns
    again = embedder_load(backend="onnx", cache_dir=cache_dir)
    assert again.backend == "onnx-int8"
    assert exported.stat().st_mtime_ns == before
    assert sorted(p.name for p in exported.parent.iterdir() if not p.name.startswith(".")) == [
        exported.with_suffix(".json").name,
        exported.name,
    ]


def test_both_names_of_the_default_model_are_one_model(cache_dir: Path) -> None:
    loaded = embedder_load(model=f"sentence-transformers/{DEFAULT_MODEL}", cache_dir=cache_dir)
    assert loaded.model_name == DEFAULT_MODEL


def test_a_bad_backend_name_is_refused(cache_dir: Path) -> None:
    with pytest.raises(EmbeddingError, match="unknown embedding backend 'gpu'"):
        embedder_load(backend="gpu", cache_dir=cache_dir)


def test_an_unknown_model_offline_is_refused(cache_dir: Path) -> None:
    with pytest.raises(EmbeddingError, match="not available offline"):
        embedder_load(model="no-such-org/no-such-model-xyz", cache_dir=cache_dir)


def test_a_model_names_the_same_folders_as_before() -> None:
    # Existing vector indexes live under these names (index/vectors/<slug>/).
    assert model_slug(DEFAULT_MODEL) == DEFAULT_MODEL
    assert model_slug("BAAI/bge-small-en-v1.5") == "BAAI_bge-small-en-v1.5"
    assert model_slug("/srv/models/my model") == "_srv_models_my_model"


def _small_model(tmp_path: Path) -> ModelSource:
    folder = tmp_path / "srv" / "my-model"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "bert"}')
    return ModelSource(name=str(folder), path=folder, max_tokens=128, lower_case=True,
                       mean_pooling=True)  # fmt: skip


def _old_folder(cache: Path, source: ModelSource) -> Path:
    """Where exports went before the one model_slug: each run of other characters became "--"."""
    return cache / source.name.strip("/").replace("/", "--")


def test_an_export_in_a_folder_of_the_old_name_is_moved_and_reused(tmp_path: Path) -> None:
    source = _small_model(tmp_path)
    cache = tmp_path / "models"
    old = _old_folder(cache, source)
    old.mkdir(parents=True)
    stem = f"model-{onnx._fingerprint(source)}"
    (old / f"{stem}.onnx").write_bytes(b"exported")
    (old / f"{stem}.json").write_text(json.dumps({"model": source.name, "dim": 384}))
    path, meta = onnx.onnx_model(source, cache)  # found: no export (it would fail on this model)
    assert path == cache / model_slug(source.name) / f"{stem}.onnx"
    assert path.read_bytes() == b"exported" and meta["dim"] == 384
    assert not old.exists()


def test_another_models_folder_of_the_old_name_is_left_alone(tmp_path: Path) -> None:
    source = _small_model(tmp_path)
    old = _old_folder(tmp_path, source)
    old.mkdir()
    (old / "model-0.json").write_text(json.dumps({"model": "another", "dim": 384}))
    assert onnx._model_folder(tmp_path, source.name) == tmp_path / model_slug(source.name)
    assert (old / "model-0.json").is_file()
