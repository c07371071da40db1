"""`paperfeed index`: bring the keyword index, the stored vectors and the vector index up to date.

Three steps, each resumable after a kill because each records how far it got only once the work
up to there is durable:
1. keyword: papers changed since the index's watermark are (re)written into tantivy; the watermark
   lives beside the index, since every host keeps its own copy. Whether a paper names its own
   code (has:code) is read with it; links found again without the paper changing (`paperfeed
   links --rebuild`) are noticed by the links table's newest id and the papers whose flag
   changed are written again.
2. embeddings: papers changed since the model's watermark whose title or abstract changed (a hash
   says) are embedded and stored in the database, one vector per (paper, model); the watermark is
   saved in the same transaction as the vectors, so the database is always consistent.
3. vectors: stored vectors newer than the vector index are published as its next version.
Watermarks are (modified_at, id) positions plus the time the run began reading. A row committed
late by a concurrent import carries a modified_at from before it became visible, so each run
starts OVERLAP before the previous run began reading, unless it had already read past that point
(an instance that sat idle re-reads nothing; one that indexed during a bulk import re-reads the
last OVERLAP of it once). Re-processing those rows is harmless: they are rewritten, or found
unchanged by their hash.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import tantivy
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from paperfeed.lib.files import write_json_atomic
from paperfeed.lib.memory import memory_return
from paperfeed.links.models import PaperLink
from paperfeed.papers.importing import state_get, state_set
from paperfeed.papers.models import Paper
from paperfeed.search.embedding import DEFAULT_MODEL, Embedder, model_slug, paper_text
from paperfeed.search.filters import FilterColumns, filters_load, filters_save
from paperfeed.search.keyword import (
    SCHEMA_VERSION,
    IndexDocument,
    KeywordIndex,
    category_terms,
    day_number,
    has_terms,
)
from paperfeed.search.models import PaperSummary, PaperVector
from paperfeed.search.query import category_canonical
from paperfeed.search.summaries import papers_describe
from paperfeed.search.vectors import RowFile, vectors_publish, vectors_state, vectors_state_save

OVERLAP = dt.timedelta(minutes=10)
KEYWORD_BATCH = 5_000
KEYWORD_COMMIT_EVERY = 100_000
VECTOR_READ_BATCH = 20_000
Progress = Callable[[str, int, int], None]  # (stage, done, total)


class IndexBusy(Exception):
    """Another `paperfeed index` holds the lock."""


def index_root() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def keyword_path() -> Path:
    """One folder per schema version, so an upgrade never opens an index of another layout."""
    return index_root() / "keyword" / f"v{SCHEMA_VERSION}"


def _keyword_leftovers() -> None:
    """Remove the index files of earlier schema versions once the current one is built."""
    root = index_root() / "keyword"
    current = keyword_path()
    for entry in root.iterdir() if root.is_dir() else ():
        if entry == current:
            continue
        if entry.is_dir() and entry.name.startswith("v"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_file():  # version 1 kept its files directly in keyword/
            entry.unlink(missing_ok=True)


def model_key(model: str) -> str:
    """The name vectors are stored under: the bundled model's long and short names are one."""
    return DEFAULT_MODEL if model == f"sentence-transformers/{DEFAULT_MODEL}" else model


def vectors_root(model: str) -> Path:
    return index_root() / "vectors" / model_slug(model_key(model))


@contextmanager
def index_lock() -> Iterator[None]:
    """One indexer at a time per host: tantivy allows a single writer, and two runs would
    embed the same papers twice."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy("another `paperfeed index` is running on this host") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# A values_list() query: the steps read rows as tuples.
Rows = QuerySet[Any, tuple[Any, ...]]


def _after(qs: Rows, field: str, position: tuple[dt.datetime, int] | None) -> Rows:
    if position is None:
        return qs
    when, pid = position
    return qs.filter(Q(**{f"{field}__gt": when}) | Q(**{field: when, "id__gt": pid}))


# Where a step resumes: (time, None) re-reads every row from that time on; (time, id) reads only
# the rows after that exact position.
Watermark = tuple[dt.datetime, int | None] | None


def _watermark(state: dict[str, Any]) -> Watermark:
    position = _position(state)
    if position is None:
        return None
    when, pid = position
    scanned = state.get("scanned_at")
    overlap_from = (dt.datetime.fromisoformat(scanned) if scanned else when) - OVERLAP
    return (overlap_from, None) if overlap_from < when else (when, pid)


def _newer(qs: Rows, field: str, mark: Watermark) -> Rows:
    if mark is None:
        return qs
    when, pid = mark
    return qs.filter(**{f"{field}__gte": when}) if pid is None else _after(qs, field, (when, pid))


def _progress_state(row: tuple[Any, ...], scanned_at: dt.datetime) -> dict[str, Any]:
    """The watermark after a row read as (id, …, its timestamp)."""
    return {"after": [row[-1].isoformat(), row[0]], "scanned_at": scanned_at.isoformat()}


def _keyset(qs: Rows, field: str, mark: Watermark, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    """Rows past the watermark in (field, id) order, `batch` at a time, each batch one query
    that resumes after the previous one (no OFFSET, no long-lived cursor)."""
    qs = _newer(qs, field, mark)
    position: tuple[dt.datetime, int] | None = None
    while True:
        rows = list(_after(qs, field, position).order_by(field, "id")[:batch])
        if not rows:
            return
        yield rows
        position = (rows[-1][-1], rows[-1][0])


# 1. keyword -----------------------------------------------------------------------------------
KEYWORD_FIELDS = ("id", "title", "abstract", "authors", "categories", "published", "has_code",
                  "modified_at")  # fmt: skip
# What the filter columns keep of a paper: (id, categories, published, has code).
Pending = list[tuple[int, str, dt.datetime | None, bool]]


def _paper_rows(*fields: str) -> Rows:
    """Papers as rows of these fields, among which `has_code`: whether the paper names its own
    code repository (an EXISTS on the links' (paper, primary) index, not a query per paper)."""
    own = PaperLink.objects.filter(paper=OuterRef("pk"), primary=True)
    return Paper.objects.annotate(has_code=Exists(own)).values_list(*fields)


def keyword_sync(*, rebuild: bool = False, progress: Progress | None = None) -> tuple[int, int]:
    """Write changed papers into the keyword index and its filter columns; returns (written,
    documents in the index)."""
    kindex = KeywordIndex(keyword_path())
    state_file = kindex.path / "paperfeed-state.json"
    state = {} if rebuild else _read_state(state_file)
    # Without a watermark the index is new (or was left half-built by a kill): start it empty,
    # and no paper needs deleting before it is added.
    fresh = not state
    columns = FilterColumns.empty() if fresh else filters_load(kindex.path)
    if columns is None:  # an index written before filter columns existed
        every = _paper_rows("id", "categories", "published", "has_code")
        columns = FilterColumns.empty().updated(*_column_values(list(every)))
        filters_save(kindex.path, columns)
    scanned_at = timezone.now()
    # Read before the papers, so that links stored while they are read are looked at next run.
    links_now, links_before = _links_mark(), state.get("links")
    mark = _watermark(state)
    qs = _paper_rows(*KEYWORD_FIELDS)
    total = _newer(qs, "modified_at", mark).count()
    writer = kindex.writer()
    if fresh:
        writer.delete_all_documents()
    written = 0
    pending: Pending = []
    for rows in _keyset(qs, "modified_at", mark, KEYWORD_BATCH):
        pending += _keyword_write(writer, kindex, rows, replace=not fresh)
        written += len(rows)
        state = _progress_state(rows[-1], scanned_at) | {"links": links_before}
        if len(pending) >= KEYWORD_COMMIT_EVERY:
            columns = _commit(writer, kindex, columns, pending, state_file, state)
            pending = []
        if progress:
            progress("keyword", written, total)
    columns = _commit(writer, kindex, columns, pending, state_file, state)
    if not fresh and links_before != links_now:
        changed = _code_changed(columns)
        for start in range(0, len(changed), KEYWORD_BATCH):
            rows = list(qs.filter(id__in=changed[start : start + KEYWORD_BATCH]))
            pending = _keyword_write(writer, kindex, rows, replace=True)
            columns = _commit(writer, kindex, columns, pending, state_file, state)
            written += len(rows)
    # Links are now reflected as of links_now (a fresh build read every paper's flag after it).
    write_json_atomic(state_file, state | {"links": links_now})
    writer.wait_merging_threads()
    del writer, columns, pending
    memory_return()  # tantivy's writer heap and the columns, before the next step's memory
    kindex.refresh()
    _keyword_leftovers()
    return written, kindex.num_docs()


def _keyword_write(
    writer: tantivy.IndexWriter, kindex: KeywordIndex, rows: list[tuple[Any, ...]], *, replace: bool
) -> Pending:
    """Add these papers (rows of KEYWORD_FIELDS) to the index, replacing their old documents."""
    pending: Pending = []
    for pid, title, abstract, authors, categories, published, has_code, _ in rows:
        if replace:  # (delete_documents_by_term does not match unsigned fields)
            writer.delete_documents_by_query(tantivy.Query.term_query(kindex.schema, "pid", pid))
        doc = IndexDocument(pid, title, abstract, authors, categories.split(),
                            published.date() if published else None,
                            has=("code",) if has_code else ())  # fmt: skip
        writer.add_document(kindex.document(doc))
        pending.append((pid, categories, published, bool(has_code)))
    return pending


@contextmanager
def scratch_index(paper_ids: Sequence[int]) -> Iterator[KeywordIndex]:
    """A keyword index of these papers alone, in a temporary folder removed afterwards: the
    day's new papers, against which saved-search alerts are matched with the query language's
    every rule (filters, phrases, exclusions)."""
    with tempfile.TemporaryDirectory(prefix="paperfeed-scratch-") as folder:
        kindex = KeywordIndex(Path(folder))
        writer = kindex.writer(threads=1)
        ids = list(paper_ids)
        for start in range(0, len(ids), 2_000):
            rows = list(_paper_rows(*KEYWORD_FIELDS).filter(id__in=ids[start : start + 2_000]))
            _keyword_write(writer, kindex, rows, replace=False)
        writer.commit()
        writer.wait_merging_threads()
        kindex.index.reload()
        yield kindex


def _links_mark() -> int:
    """The newest link's id: links are only ever replaced (deleted, then inserted anew), so it
    grows whenever links are found again, whether or not the paper changed."""
    return int(PaperLink.objects.aggregate(newest=Max("id"))["newest"] or 0)


def _code_changed(columns: FilterColumns) -> list[int]:
    """The indexed papers whose has:code in the columns is no longer what their links say (one
    pass over the papers' own repositories, about 0.2 s a million papers)."""
    own = PaperLink.objects.filter(primary=True).values_list("paper_id", flat=True)
    linked = np.unique(np.fromiter(own.iterator(chunk_size=20_000), dtype=np.uint64))
    flagged = columns.keys[columns.mask(required=has_terms(["code"]))]
    changed = np.setxor1d(linked, flagged, assume_unique=True)
    return [int(pid) for pid in changed[np.isin(changed, columns.keys)]]


def _commit(
    writer: tantivy.IndexWriter,
    kindex: KeywordIndex,
    columns: FilterColumns,
    pending: Pending,
    state_file: Path,
    state: dict[str, Any],
) -> FilterColumns:
    """Commit the index, then its filter columns, then the watermark: a kill between them only
    means the next run writes those papers again."""
    writer.commit()
    if pending:
        columns = columns.updated(*_column_values(pending))
    filters_save(kindex.path, columns)
    write_json_atomic(state_file, state)
    return columns


def _column_values(rows: Pending) -> tuple[list[int], list[int | None], list[list[str]]]:
    return (
        [pid for pid, _, _, _ in rows],
        [day_number(published.date()) if published else None for _, _, published, _ in rows],
        [
            _filterable(categories) + has_terms(["code"] if has_code else [])
            for _, categories, _, has_code in rows
        ],
    )


def _filterable(categories: str) -> list[str]:
    """The category terms a query can name (`cat:` accepts only arXiv's categories and archives):
    a catalog's stray tokens (MSC or ACM classes in the categories field) get no column."""
    return [t for t in category_terms(categories.split()) if category_canonical(t) == t]


def _read_state(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text()))
    except (FileNotFoundError, ValueError):
        return {}


# 2. embeddings --------------------------------------------------------------------------------
def embeddings_update(
    *, embedder: Embedder, batch_size: int = 512, progress: Progress | None = None
) -> tuple[int, int]:
    """Embed papers whose text is new or changed; returns (embedded, unchanged)."""
    key = f"embed:{embedder.model_name}"
    scanned_at = timezone.now()
    mark = _watermark(state_get(key))
    qs = Paper.objects.values_list("id", "title", "abstract", "modified_at")
    total = _newer(qs, "modified_at", mark).count()
    embedded = unchanged = seen = 0
    for rows in _keyset(qs, "modified_at", mark, batch_size):
        stored = dict(
            PaperVector.objects.filter(
                model=embedder.model_name, paper_id__in=[r[0] for r in rows]
            ).values_list("paper_id", "text_hash")
        )
        todo = []
        for pid, title, abstract, _ in rows:
            text = paper_text(title, abstract)
            digest = text_hash(text)
            if stored.get(pid) != digest:
                todo.append((pid, text, digest))
        vectors = embedder.encode_documents([t for _, t, _ in todo]) if todo else None
        with transaction.atomic():
            if vectors is not None:
                vectors_store(
                    model=embedder.model_name,
                    pids=[p for p, _, _ in todo],
                    vectors=vectors,
                    hashes=[h for _, _, h in todo],
                )
            state_set(key, _progress_state(rows[-1], scanned_at))
        embedded += len(todo)
        unchanged += len(rows) - len(todo)
        seen += len(rows)
        if progress:
            progress("embed", seen, total)
    return embedded, unchanged


def summaries_update(
    *,
    embedder: Embedder,
    batch_size: int = 256,
    limit: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Key phrases and the extracted summary of papers embedded since the last run (and, the
    first time, of every paper with a stored vector), from their stored vectors: nothing is
    embedded again but the phrase candidates. `limit` bounds one run (the worker catches up
    over several); returns how many papers were described."""
    key = f"summaries:{embedder.model_name}"
    scanned_at = timezone.now()
    mark = _watermark(state_get(key))
    qs = PaperVector.objects.filter(model=embedder.model_name).values_list(
        "id", "paper_id", "paper__title", "paper__abstract", "vector", "text_hash", "embedded_at"
    )
    total = _newer(qs, "embedded_at", mark).count()
    if limit is not None:
        total = min(total, limit)
    described = seen = 0
    for rows in _keyset(qs, "embedded_at", mark, min(batch_size, limit or batch_size)):
        done = dict(
            PaperSummary.objects.filter(paper_id__in=[r[1] for r in rows]).values_list(
                "paper_id", "text_hash"
            )
        )
        todo = [row for row in rows if done.get(row[1]) != row[5]]
        if todo:
            vectors = np.stack(
                [np.frombuffer(bytes(row[4]), dtype=np.float16).astype(np.float32) for row in todo]
            )
            found = papers_describe(embedder, [(row[2], row[3]) for row in todo], vectors)
            summaries = [
                PaperSummary(
                    paper_id=row[1],
                    keywords=item.keywords,
                    summary=item.summary,
                    text_hash=row[5],
                )  # fmt: skip
                for row, item in zip(todo, found, strict=True)
            ]
        with transaction.atomic():
            if todo:
                PaperSummary.objects.bulk_create(
                    summaries,
                    update_conflicts=True,
                    unique_fields=["paper"],
                    update_fields=["keywords", "summary", "text_hash"],
                )
            state_set(key, _progress_state(rows[-1], scanned_at))
        described += len(todo)
        seen += len(rows)
        if progress:
            progress("key phrases", seen, total)
        if limit is not None and seen >= limit:
            break
    return described


def papers_embed(*, embedder: Embedder, pids: list[int]) -> int:
    """Embed these papers now, unless their stored vector is of the same text (a paper just
    submitted, so that it is searchable before the next scheduled run); returns how many."""
    rows = Paper.objects.filter(pk__in=pids).values_list("id", "title", "abstract")
    stored = dict(
        PaperVector.objects.filter(model=embedder.model_name, paper_id__in=pids).values_list(
            "paper_id", "text_hash"
        )
    )
    todo = [
        (pid, text, digest)
        for pid, title, abstract in rows
        for text in [paper_text(title, abstract)]
        for digest in [text_hash(text)]
        if stored.get(pid) != digest
    ]
    if todo:
        vectors = embedder.encode_documents([t for _, t, _ in todo])
        vectors_store(
            model=embedder.model_name, pids=[p for p, _, _ in todo], vectors=vectors,
            hashes=[h for _, _, h in todo],
        )  # fmt: skip
    return len(todo)


def vectors_store(*, model: str, pids: list[int], vectors: np.ndarray, hashes: list[str]) -> None:
    """Insert or replace stored vectors (float16) for these papers."""
    now = timezone.now()
    half = np.asarray(vectors, dtype=np.float16)
    PaperVector.objects.bulk_create(
        [
            PaperVector(
                paper_id=pid,
                model=model,
                vector=half[i].tobytes(),
                text_hash=hashes[i],
                embedded_at=now,
            )  # fmt: skip
            for i, pid in enumerate(pids)
        ],
        update_conflicts=True,
        unique_fields=["model", "paper"],
        update_fields=["vector", "text_hash", "embedded_at"],
        batch_size=500,
    )


# 3. vectors -----------------------------------------------------------------------------------
def vectors_sync(
    *, model: str, rebuild: bool = False, progress: Progress | None = None
) -> tuple[int, int]:
    """Publish stored vectors newer than the vector index; returns (published, total)."""
    root = vectors_root(model)
    state = {} if rebuild else vectors_state(root)
    scanned_at = timezone.now()
    mark = _watermark(state)
    qs = PaperVector.objects.filter(model=model).values_list(
        "id", "paper_id", "vector", "embedded_at"
    )
    total = _newer(qs, "embedded_at", mark).count()
    if not total and not rebuild:
        return 0, _published_count(root)
    saved = _position(state)
    live = _live_keys(root) if saved else np.zeros(0, dtype=np.uint64)
    root.mkdir(parents=True, exist_ok=True)
    # The rows read go to a scratch file, not a list: a rebuild reads every vector (2 GB at
    # arXiv's size) and the indexer's memory stays bounded.
    with tempfile.NamedTemporaryFile(dir=root, prefix=".incoming-", suffix=".f16") as scratch:
        key_chunks: list[np.ndarray] = []
        count = dim = 0
        if mark is None:  # every stored vector: read in id order, the quickest
            newest = qs.order_by("-embedded_at", "-id").first()
            if newest is not None:
                state = _progress_state(newest, scanned_at)
            plain = PaperVector.objects.filter(model=model).values_list("id", "paper_id", "vector")
            batches = _by_id(plain, VECTOR_READ_BATCH)
        else:
            batches = _keyset(qs, "embedded_at", mark, VECTOR_READ_BATCH)
        for rows in batches:
            if mark is not None:
                state = _progress_state(rows[-1], scanned_at)
            if saved:  # rows of the overlap already published need no new version
                rows = [r for r in rows if (r[3], r[0]) > saved or not _contains(live, r[1])]
            if progress:
                progress("read vectors", count + len(rows), total)
            if not rows:
                continue
            data = b"".join(bytes(r[2]) for r in rows)
            dim = len(data) // 2 // len(rows)
            scratch.write(data)
            key_chunks.append(np.fromiter((r[1] for r in rows), dtype=np.uint64, count=len(rows)))
            count += len(rows)
        if not count and not rebuild:
            if state:
                vectors_state_save(root, state)  # the overlap is re-read once, not on every run
            return 0, _published_count(root)
        scratch.flush()
        keys = np.concatenate(key_chunks) if key_chunks else np.zeros(0, dtype=np.uint64)
        vectors = RowFile(Path(scratch.name), raw=(count, dim, np.float16))

        def graph_progress(done: int, of: int) -> None:
            if progress:
                progress("vector index", done, of)

        published = vectors_publish(
            root, model=model, keys=keys, vectors=vectors, replace_all=rebuild, state=state,
            on_progress=graph_progress,
        )  # fmt: skip
    return count, published.count


def _by_id(qs: Rows, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    """Every row in id order, `batch` at a time (keyset on the primary key). Rows stored while
    this reads are past the watermark taken before it, so the next run reads them (again)."""
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last).order_by("id")[:batch])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _position(state: dict[str, Any]) -> tuple[dt.datetime, int] | None:
    after = state.get("after")
    return (dt.datetime.fromisoformat(after[0]), int(after[1])) if after else None


def _live_keys(root: Path) -> np.ndarray:
    manifest = _read_state(root / "current.json")
    if not manifest:
        return np.zeros(0, dtype=np.uint64)
    keys: np.ndarray = np.load(root / f"v{manifest['version']}" / "keys.npy")
    return keys


def _contains(sorted_keys: np.ndarray, key: int) -> bool:
    row = int(np.searchsorted(sorted_keys, np.uint64(key)))
    return row < len(sorted_keys) and int(sorted_keys[row]) == key


def _published_count(root: Path) -> int:
    try:
        return int(json.loads((root / "current.json").read_text())["count"])
    except (FileNotFoundError, ValueError, KeyError):
        return 0
