"""Stored vectors to and from a file, so that a catalog can be shipped with its embeddings (the
bundled sample is) and a server without a GPU can import what a machine with one computed.

The file is a NumPy .npz (a zip of .npy arrays): `model`, `chunks` (a count) and, for each chunk
of up to EXPORT_CHUNK papers, `ids_00000` (arXiv ids), `hashes_00000` (of the text each vector
embeds) and `vectors_00000` (float16). Files written before chunks existed hold one `ids`,
`hashes` and `vectors` array; both layouts import.

Neither direction holds more than a chunk (export) or a batch of BATCH rows (import) in memory,
so that all of arXiv (2.7 million × 384 float16, 2 GB) moves through a server with 2 GB of RAM.
A vector is imported only where the stored paper's text has the same hash, so a vector never
lands on a paper whose title or abstract has changed since.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from paperfeed.papers.models import Paper
from paperfeed.search.embedding import paper_text
from paperfeed.search.indexing import Progress, text_hash, vectors_store
from paperfeed.search.models import PaperVector

EXPORT_CHUNK = 50_000  # papers per chunk of an exported file (about 40 MB of them in memory)
BATCH = 2_000  # rows read and stored at a time by an import
HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
# What a damaged or cut-short member raises while it is read.
DAMAGED = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


class VectorFileError(Exception):
    pass


@dataclass
class ImportCounts:
    model: str
    imported: int = 0
    not_stored: int = 0
    text_changed: int = 0


class VectorFileWriter:
    """Writes a vectors file one chunk at a time (`add`), as numpy's savez_compressed writes its
    arrays; the file appears under its name only once it is complete."""

    def __init__(self, path: Path, *, model: str) -> None:
        self.path, self.model, self.chunks = path, model, 0
        self.partial = path.with_name(path.name + ".partial")

    def __enter__(self) -> VectorFileWriter:
        self.zip = zipfile.ZipFile(self.partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        return self

    def add(self, *, ids: list[str], hashes: list[str], vectors: np.ndarray) -> None:
        number = f"{self.chunks:05d}"
        self._array(f"ids_{number}", np.array(ids, dtype=str))
        self._array(f"hashes_{number}", np.array(hashes, dtype=str))
        self._array(f"vectors_{number}", np.asarray(vectors, dtype=np.float16))
        self.chunks += 1

    def _array(self, name: str, array: np.ndarray) -> None:
        with self.zip.open(f"{name}.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array(member, array, allow_pickle=False)

    def __exit__(self, kind: type[BaseException] | None, *rest: Any) -> None:
        try:
            if kind is None:
                self._array("model", np.array(self.model))
                self._array("chunks", np.array(self.chunks))
            self.zip.close()
            if kind is None:
                self.partial.replace(self.path)
        finally:
            self.partial.unlink(missing_ok=True)  # left only by a failed export


def vectors_export(*, path: Path, model: str, progress: Progress | None = None) -> int:
    """Write the stored vectors of `model` to `path`; returns how many."""
    rows = PaperVector.objects.filter(model=model).order_by("paper_id")
    total = rows.count()
    if not total:
        raise VectorFileError(f"no stored vectors for the model {model!r}; run `paperfeed index`")
    done, last, size = 0, 0, None
    columns = ("paper_id", "paper__arxiv_id", "text_hash", "vector")
    with VectorFileWriter(path, model=model) as writer:
        # Keyset batches by paper id: each reads one index range, never the whole table.
        while chunk := list(rows.filter(paper_id__gt=last).values_list(*columns)[:EXPORT_CHUNK]):
            last = chunk[-1][0]
            blobs = [bytes(row[3]) for row in chunk]
            sizes = {len(blob) for blob in blobs} | ({size} if size else set())
            if len(sizes) > 1:
                raise VectorFileError(f"stored vectors of {model!r} differ in size: {sizes} bytes")
            size = sizes.pop()
            vectors = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(chunk), -1)
            writer.add(ids=[row[1] for row in chunk], hashes=[row[2] for row in chunk],
                       vectors=vectors)  # fmt: skip
            done += len(chunk)
            if progress:
                progress("export", done, max(total, done))
    return done


def vectors_import(*, path: Path, progress: Progress | None = None) -> ImportCounts:
    """Store the vectors of a file made by `vectors_export` where the papers' text still matches.

    The whole file is read and checked first, a batch at a time, so that a damaged or truncated
    file is refused before anything is stored."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise VectorFileError(_not_a_zip(path)) from None
    except OSError as exc:
        raise VectorFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    with archive:
        try:
            model, chunks = _contents(archive)
        except DAMAGED as exc:
            raise VectorFileError(f"{path}: not a paperfeed vectors file ({exc})") from None
        except VectorFileError as exc:
            raise VectorFileError(f"{path}: {exc}") from None
        total = sum(rows for _, rows in chunks)
        for _ in _batches(archive, path, chunks, stage="check", total=total, progress=progress):
            pass
        counts = ImportCounts(model=model)
        for batch in _batches(archive, path, chunks, stage="import", total=total,
                              progress=progress):  # fmt: skip
            _store(counts, *batch)
    return counts


def _not_a_zip(path: Path) -> str:
    with open(path, "rb") as handle:
        if handle.read(4) == b"PK\x03\x04":  # a zip whose end, with its directory, is missing
            return f"{path} is truncated: copy or export it again"
    return f"{path} is not a paperfeed vectors file; make one with `paperfeed vectors export`"


class _Member:
    """One .npy array of the file, read a few rows at a time."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        try:
            self.handle: IO[bytes] = archive.open(f"{name}.npy")
        except KeyError:
            raise VectorFileError(f"the array {name!r} is missing; export the file again") from None
        version = np.lib.format.read_magic(self.handle)
        if version not in HEADERS:
            raise ValueError(f"{name}: .npy format {version} is not supported")
        self.shape, fortran, self.dtype = HEADERS[version](self.handle)
        if (fortran and len(self.shape) > 1) or self.dtype.hasobject:
            raise ValueError(f"{name}: unsupported array layout")
        self.row_bytes = self.dtype.itemsize * math.prod(self.shape[1:])

    def read(self, rows: int) -> np.ndarray:
        data = self.handle.read(rows * self.row_bytes)
        if len(data) != rows * self.row_bytes:
            raise EOFError(f"{self.name} ends early")
        return np.frombuffer(data, dtype=self.dtype).reshape(rows, *self.shape[1:])

    def close(self) -> None:
        # Reading to the end makes zipfile compare the member's checksum.
        extra = self.handle.read(1)
        self.handle.close()
        if extra:
            raise ValueError(f"{self.name} holds more data than its header says")


Chunks = list[tuple[tuple[str, str, str], int]]  # the (ids, hashes, vectors) members, rows


def _contents(archive: zipfile.ZipFile) -> tuple[str, Chunks]:
    """The file's model and chunks, from the arrays' headers, after checking that they fit."""
    model = str(_small(archive, "model"))
    if "chunks.npy" in archive.namelist():
        names = [(f"ids_{n:05d}", f"hashes_{n:05d}", f"vectors_{n:05d}")
                 for n in range(int(_small(archive, "chunks")))]  # fmt: skip
    else:
        names = [("ids", "hashes", "vectors")]
    chunks, dimensions = [], None
    for chunk in names:
        ids, hashes, vectors = members = [_Member(archive, name) for name in chunk]
        for member in members:
            member.handle.close()
        if ids.shape[:1] != hashes.shape or len(ids.shape) != 1 or vectors.shape[:1] != ids.shape:
            raise VectorFileError(f"{', '.join(chunk)} differ in length ({ids.shape}, "
                                  f"{hashes.shape}, {vectors.shape})")  # fmt: skip
        if ids.dtype.kind != "U" or hashes.dtype.kind != "U" or vectors.dtype.kind != "f":
            raise VectorFileError(f"{', '.join(chunk)}: not ids, hashes and float vectors")
        if len(vectors.shape) != 2:
            raise VectorFileError(f"{chunk[2]} is not a table of vectors: shape {vectors.shape}")
        if vectors.shape[1] != (dimensions or vectors.shape[1]):
            raise VectorFileError(f"{chunk[2]} holds vectors of {vectors.shape[1]} dimensions, "
                                  f"where the file's first ones have {dimensions}")  # fmt: skip
        dimensions = vectors.shape[1]
        chunks.append((chunk, ids.shape[0]))
    return model, chunks


def _small(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    if f"{name}.npy" not in archive.namelist():
        raise VectorFileError(f"the array {name!r} is missing; export the file again")
    with archive.open(f"{name}.npy") as member:
        value = np.lib.format.read_array(member, allow_pickle=False)
    if value.shape != ():
        raise VectorFileError(f"{name!r} should be a single value, not an array {value.shape}")
    return value


def _batches(
    archive: zipfile.ZipFile,
    path: Path,
    chunks: Chunks,
    *,
    stage: str,
    total: int,
    progress: Progress | None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(ids, hashes, vectors) of BATCH rows at a time, chunk after chunk."""
    done = 0
    for names, rows in chunks:
        try:
            members = [_Member(archive, name) for name in names]
            for start in range(0, rows, BATCH):
                take = min(BATCH, rows - start)
                ids, hashes, vectors = (member.read(take) for member in members)
                yield ids, hashes, vectors
                done += take
                if progress:
                    progress(stage, done, total)
            for member in members:
                member.close()
        except DAMAGED as exc:
            kept = "nothing was imported" if stage == "check" else "what came before was imported"
            raise VectorFileError(
                f"{path} is damaged or truncated ({exc}); {kept}: copy or export it again"
            ) from None


def _store(counts: ImportCounts, ids: np.ndarray, hashes: np.ndarray, vectors: np.ndarray) -> None:
    batch = [str(arxiv_id) for arxiv_id in ids]
    papers = Paper.objects.filter(arxiv_id__in=batch).values_list(
        "arxiv_id", "id", "title", "abstract"
    )
    found = {a: (pid, text_hash(paper_text(t, ab))) for a, pid, t, ab in papers}
    keep, pids, digests = [], [], []
    for row, arxiv_id in enumerate(batch):
        if arxiv_id not in found:
            counts.not_stored += 1
        elif found[arxiv_id][1] != str(hashes[row]):
            counts.text_changed += 1
        else:
            keep.append(row)
            pids.append(found[arxiv_id][0])
            digests.append(found[arxiv_id][1])
    if pids:
        vectors_store(model=counts.model, pids=pids, vectors=vectors[keep], hashes=digests)
        counts.imported += len(pids)
