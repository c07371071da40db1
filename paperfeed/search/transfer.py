"""Stored vectors to and from a file, so that a catalog can be shipped with its embeddings (the
bundled sample is) and another installation need not compute them again.

The file is a NumPy .npz: `ids` (arXiv ids), `vectors` (float16), `hashes` (of the text each vector
embeds) and `model`. A vector is imported only where the stored paper's text has the same hash,
so a vector never lands on a paper whose title or abstract has changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperfeed.papers.models import Paper
from paperfeed.search.embedding import paper_text
from paperfeed.search.indexing import text_hash, vectors_store
from paperfeed.search.models import PaperVector

BATCH = 2_000


class VectorFileError(Exception):
    pass


@dataclass
class ImportCounts:
    model: str
    imported: int = 0
    not_stored: int = 0
    text_changed: int = 0


def vectors_export(*, path: Path, model: str) -> int:
    rows = PaperVector.objects.filter(model=model).order_by("paper_id")
    ids, hashes, chunks = [], [], []
    for arxiv_id, vector, digest in rows.values_list("paper__arxiv_id", "vector", "text_hash"):
        ids.append(arxiv_id)
        hashes.append(digest)
        chunks.append(bytes(vector))
    if not ids:
        raise VectorFileError(f"no stored vectors for the model {model!r}; run `paperfeed index`")
    vectors = np.frombuffer(b"".join(chunks), dtype=np.float16).reshape(len(ids), -1)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, ids=np.array(ids), hashes=np.array(hashes), vectors=vectors,
                 model=np.array(model))  # fmt: skip
    return len(ids)


def vectors_import(*, path: Path) -> ImportCounts:
    try:
        data = np.load(path, allow_pickle=False)
        ids, hashes, vectors = data["ids"], data["hashes"], data["vectors"]
        model = str(data["model"])
    except (OSError, ValueError, KeyError) as exc:
        raise VectorFileError(f"{path}: not a paperfeed vectors file ({exc})") from None
    if not (len(ids) == len(hashes) == len(vectors)) or vectors.ndim != 2:
        raise VectorFileError(f"{path}: ids, hashes and vectors differ in length")
    counts = ImportCounts(model=model)
    for start in range(0, len(ids), BATCH):
        chunk = [str(i) for i in ids[start : start + BATCH]]
        papers = Paper.objects.filter(arxiv_id__in=chunk).values_list(
            "arxiv_id", "id", "title", "abstract"
        )
        found = {a: (pid, text_hash(paper_text(t, ab))) for a, pid, t, ab in papers}
        keep_rows, pids, digests = [], [], []
        for offset, arxiv_id in enumerate(chunk):
            if arxiv_id not in found:
                counts.not_stored += 1
            elif found[arxiv_id][1] != str(hashes[start + offset]):
                counts.text_changed += 1
            else:
                keep_rows.append(start + offset)
                pids.append(found[arxiv_id][0])
                digests.append(found[arxiv_id][1])
        if pids:
            vectors_store(model=model, pids=pids, vectors=vectors[keep_rows], hashes=digests)
            counts.imported += len(pids)
    return counts
