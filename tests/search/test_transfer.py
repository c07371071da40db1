"""`paperfeed vectors export` / `import`: files in chunks, the old single-array layout, damaged
files refused before anything is stored, and memory held to a batch, not the whole file."""

from __future__ import annotations

import io
import itertools
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.lib.records import PaperRecord
from paperfeed.lib.snapshot import read_snapshot
from paperfeed.papers.ingest import papers_upsert_batch
from paperfeed.papers.models import Paper
from paperfeed.search import transfer
from paperfeed.search.embedding import DEFAULT_MODEL
from paperfeed.search.models import PaperVector
from paperfeed.search.transfer import VectorFileWriter, vectors_import

pytestmark = pytest.mark.django_db
# The bundled sample: its vectors file was written in the old layout (one array of each kind).
SAMPLE = Path(transfer.__file__).resolve().parents[1] / "sample"
SAMPLE_VECTORS = SAMPLE / "arxiv-sample.vectors.npz"
PAPERS = 30


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stored_vectors() -> dict[int, bytes]:
    return {pid: bytes(v) for pid, v in PaperVector.objects.values_list("paper_id", "vector")}


@pytest.fixture
def catalog() -> list[Paper]:
    """The first papers of the bundled sample, with the sample's vectors imported."""
    records = (r for r in read_snapshot(SAMPLE / "arxiv-sample.jsonl.gz"))
    papers_upsert_batch(records=[r for r in itertools.islice(records, PAPERS)
                                 if isinstance(r, PaperRecord)])  # fmt: skip
    run("vectors_import", str(SAMPLE_VECTORS))
    return list(Paper.objects.order_by("id"))


@pytest.fixture
def exported(catalog: list[Paper], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The catalog's vectors exported in chunks of 7 papers, read back 3 rows at a time."""
    monkeypatch.setattr(transfer, "EXPORT_CHUNK", 7)
    monkeypatch.setattr(transfer, "BATCH", 3)
    path = tmp_path / "vectors.npz"
    assert run("vectors_export", str(path)) == f"30 vectors of {DEFAULT_MODEL} written to {path}\n"
    return path


def test_it_imports_the_bundled_sample_in_the_old_layout(catalog: list[Paper]) -> None:
    assert len(catalog) == PAPERS
    assert PaperVector.objects.filter(model=DEFAULT_MODEL).count() == PAPERS
    with np.load(SAMPLE_VECTORS) as old:
        assert {"ids", "hashes", "vectors", "model"} == set(old.files)
        elsewhere = len(old["ids"]) - PAPERS
    assert run("vectors_import", str(SAMPLE_VECTORS)).startswith(
        f"30 vectors of {DEFAULT_MODEL} imported · {elsewhere:,} papers not in the catalog · 0 with"
    )


def test_a_round_trip_writes_chunks_and_stores_the_same_vectors(
    catalog: list[Paper], exported: Path
) -> None:
    with np.load(exported) as data:
        assert int(data["chunks"]) == 5 and str(data["model"]) == DEFAULT_MODEL
        assert [len(data[f"ids_{n:05d}"]) for n in range(5)] == [7, 7, 7, 7, 2]
        assert data["vectors_00004"].shape == (2, 384)
        assert data["vectors_00004"].dtype == np.float16
    assert not list(exported.parent.glob("*.partial"))
    before = stored_vectors()
    PaperVector.objects.all().delete()
    changed, gone = catalog[3], catalog[17]
    Paper.objects.filter(id=changed.id).update(abstract=changed.abstract + " Revised.")
    Paper.objects.filter(id=gone.id).delete()

    out = run("vectors_import", str(exported))

    assert out.startswith(f"28 vectors of {DEFAULT_MODEL} imported · 1 papers not in the catalog ·"
                          " 1 with changed text")  # fmt: skip
    after = stored_vectors()
    assert set(after) == {p.id for p in catalog} - {changed.id, gone.id}
    assert all(after[pid] == before[pid] for pid in after)


def test_export_without_vectors_says_to_index(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no stored vectors.*paperfeed index"):
        run("vectors_export", str(tmp_path / "none.npz"))
    assert not list(tmp_path.iterdir())


def rewrite(good: Path, bad: Path, changes: dict[str, np.ndarray | None]) -> None:
    """A copy of `good` with some arrays replaced (or, for None, left out)."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            array = changes.get(name.removesuffix(".npy"), source.read(name))
            if isinstance(array, np.ndarray):
                with out.open(name, "w") as member:
                    np.lib.format.write_array(member, array)
            elif array is not None:
                out.writestr(name, array)


def damage_data(good: Path, bad: Path) -> None:
    """Overwrite bytes in the middle of a later chunk's compressed vectors."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("vectors_00003.npy")
    name_size, extra_size = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_size + extra_size + info.compress_size // 2
    data[start : start + 16] = bytes(16)
    bad.write_bytes(bytes(data))


def short(name: str, rows: int) -> Callable[[Path, Path], None]:
    def change(good: Path, bad: Path) -> None:
        with np.load(good) as data:
            rewrite(good, bad, {name: data[name][:rows]})

    return change


def old_layout_short(good: Path, bad: Path) -> None:
    one, two = np.array(["2401.00001"]), np.zeros((2, 384), np.float16)
    np.savez_compressed(bad, model=DEFAULT_MODEL, ids=one, hashes=one, vectors=two)


BAD_FILES: dict[str, tuple[Callable[[Path, Path], object], str]] = {
    "not a zip": (lambda good, bad: bad.write_text("ids,vectors\n"), "is not a paperfeed vectors"),
    "truncated": (lambda good, bad: bad.write_bytes(good.read_bytes()[:3000]), "is truncated"),
    "damaged": (damage_data, "is damaged or truncated .*nothing was imported"),
    "member missing": (
        lambda good, bad: rewrite(good, bad, {"hashes_00002": None}),
        "'hashes_00002' is missing",
    ),
    "model missing": (lambda good, bad: rewrite(good, bad, {"model": None}), "'model' is missing"),
    "lengths differ": (short("hashes_00001", 5), "differ in length"),
    "wrong dimension": (
        lambda good, bad: rewrite(good, bad, {"vectors_00003": np.zeros((7, 10), np.float16)}),
        "vectors_00003 holds vectors of 10 dimensions",
    ),
    "old layout, lengths differ": (old_layout_short, "ids, hashes, vectors differ in length"),
}


@pytest.mark.parametrize("make", BAD_FILES.values(), ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_a_message_and_nothing_stored(
    exported: Path, catalog: list[Paper], make: tuple[Callable[[Path, Path], object], str]
) -> None:
    build, message = make
    bad = exported.with_name("bad.npz")
    build(exported, bad)
    # Half the vectors are gone, so an import that went ahead would store some.
    PaperVector.objects.filter(paper_id__in=[p.id for p in catalog[::2]]).delete()
    before = stored_vectors()

    with pytest.raises(CommandError, match=message) as refused:
        run("vectors_import", str(bad))

    assert refused.value.returncode == 1
    assert stored_vectors() == before


def test_import_holds_one_batch_in_memory_not_the_whole_array(tmp_path: Path) -> None:
    chunks, rows = 8, 8_000
    path = tmp_path / "large.npz"
    rng = np.random.default_rng(0)
    with VectorFileWriter(path, model=DEFAULT_MODEL) as writer:
        for chunk in range(chunks):
            ids = [f"2401.{chunk}{row:04d}" for row in range(rows)]
            writer.add(ids=ids, hashes=["0" * 32] * rows,
                       vectors=rng.standard_normal((rows, 384)).astype(np.float16))  # fmt: skip
    whole = chunks * rows * 384 * 2  # 49 MB: what loading the vectors array at once costs

    tracemalloc.start()
    try:
        counts = vectors_import(path=path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    # About 8 MB for a batch of 2,000 rows, however many chunks the file holds.
    assert counts.not_stored == chunks * rows
    assert peak < whole / 4, f"peak {peak / 1e6:.1f} MB for a {whole / 1e6:.1f} MB array"
