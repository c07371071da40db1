"""The one way papers enter the catalog, whatever their source.

`paper_upsert` stores one record; `papers_upsert_batch` stores many in one transaction and is what
bulk imports use. Both are idempotent: storing the same record twice changes nothing.

Merge rules, so that sources can be mixed and re-run in any order:
- a record with a newer version than the stored one replaces every field it provides;
- a record with the same version replaces fields only if it is at least as recent (`updated`),
  which lets a metadata refresh (a journal-ref added later) through;
- a record with an older version only fills fields that are empty (and adds to the history);
- a record without a version (Hugging Face, OAI-PMH's arXiv format) replaces fields when its
  `updated` date is later than the stored one, and otherwise only fills fields that are empty;
- fields a source does not provide (None or empty) keep what is stored, and the version
  history is the union of what every source reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.lib.records import PaperRecord
from paperfeed.papers.bulk import ensure_ids, ids_by, insert_rows
from paperfeed.papers.models import Author, Authorship, Paper
from paperfeed.papers.prepare import JSON_COLUMNS, Prepared, prepare
from paperfeed.papers.signals import papers_stored

# Fields compared to decide whether a stored paper changed.
_FIELDS = (
    "version", "versions", "title", "title_raw", "abstract", "abstract_raw", "authors",
    "authors_raw", "primary_category", "categories", "comments", "journal_ref", "doi",
    "report_no", "license", "submitter", "published", "updated",
)  # fmt: skip


_RAW_OF = {"title": "title_raw", "abstract": "abstract_raw", "authors": "authors_raw"}


@dataclass
class BatchResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # arxiv_id -> Paper.pk for every record
    outcomes: dict[str, str] = field(default_factory=dict)  # arxiv_id -> new|updated|unchanged


def paper_upsert(*, record: PaperRecord) -> tuple[Paper, str]:
    """Store one record; return the paper and what happened ("new", "updated", "unchanged")."""
    result = papers_upsert_batch(records=[record])
    return Paper.objects.get(pk=result.ids[record.arxiv_id]), result.outcomes[record.arxiv_id]


def papers_upsert_batch(
    *,
    records: Iterable[PaperRecord | Prepared],
    on_stored: Callable[[BatchResult], None] | None = None,
) -> BatchResult:
    """Store many records in one transaction.

    `on_stored`, when given, runs inside the same transaction once the papers are written (an
    import saving how far it got, featured entries that refer to the papers), so that they are
    committed together with the papers or not at all.
    """
    incoming = _dedupe(records)
    result = BatchResult()
    now = timezone.now()
    with transaction.atomic():
        to_create, to_update = _plan(incoming, result, now)
        created = _create(to_create, result, now)
        if len(created) < len(to_create):
            # Another import stored some of these meanwhile (PostgreSQL lets two run at once):
            # merge with what it stored instead.
            raced = {
                p["arxiv_id"]: incoming[p["arxiv_id"]]
                for p in to_create
                if p["arxiv_id"] not in created
            }
            to_update += _plan(raced, result, now)[1]
            to_create = [p for p in to_create if p["arxiv_id"] in created]
        _update(to_update)
        relinked = [(pk, arxiv_id) for pk, arxiv_id, changes in to_update if "authors" in changes]
        _link_authors(
            [(result.ids[p["arxiv_id"]], incoming[p["arxiv_id"]]) for p in to_create]
            + [(pk, incoming[arxiv_id]) for pk, arxiv_id in relinked],
            replace=[pk for pk, _ in relinked],
        )
        if to_create or to_update:
            papers_stored.send(
                sender=Paper,
                created=[result.ids[p["arxiv_id"]] for p in to_create],
                changed={pk: set(changes) for pk, _, changes in to_update},
                links={result.ids[p["arxiv_id"]]: incoming[p["arxiv_id"]].links for p in to_create},
            )
        result.new = len(to_create)
        result.updated = len(to_update)
        result.unchanged = len(incoming) - result.new - result.updated
        if on_stored is not None:
            on_stored(result)
    return result


def _plan(
    incoming: dict[str, Prepared], result: BatchResult, now: datetime
) -> tuple[list[dict[str, Any]], list[tuple[int, str, dict[str, Any]]]]:
    """Rows to insert, and (pk, arxiv_id, changed fields) to update; fills result.outcomes."""
    # A cheap raw look-up first: in a bulk import most papers are new, and the ORM query below
    # (which decodes JSON fields) is then only run for the ones already stored.
    known = ids_by(Paper, "arxiv_id", list(incoming))
    stored = (
        {
            row["arxiv_id"]: row
            for row in Paper.objects.filter(pk__in=list(known.values())).values(
                "id", "arxiv_id", *_FIELDS
            )
        }
        if known
        else {}
    )
    to_create: list[dict[str, Any]] = []
    to_update: list[tuple[int, str, dict[str, Any]]] = []
    for arxiv_id, record in incoming.items():
        row = stored.get(arxiv_id)
        if row is None:
            values = {**record.values, **record.json, "version": record.values["version"] or 1}
            to_create.append({"arxiv_id": arxiv_id, **values, "source": record.source,
                              "last_source": record.source, "created_at": now,
                              "modified_at": now})  # fmt: skip
            result.outcomes[arxiv_id] = "new"
            continue
        result.ids[arxiv_id] = row["id"]
        changes = _merge(row, record)
        if changes is None:
            result.outcomes[arxiv_id] = "unchanged"
        else:
            changes.update(last_source=record.source, modified_at=now)
            to_update.append((row["id"], arxiv_id, changes))
            result.outcomes[arxiv_id] = "updated"
    return to_create, to_update


def _dedupe(records: Iterable[PaperRecord | Prepared]) -> dict[str, Prepared]:
    """One record per id; when a batch holds several, the newest one wins."""
    chosen: dict[str, Prepared] = {}
    for item in records:
        prepared = prepare(item)
        previous = chosen.get(prepared.arxiv_id)
        if previous is None or prepared.rank >= previous.rank:
            chosen[prepared.arxiv_id] = prepared
    return chosen


def _merge(row: dict[str, Any], record: Prepared) -> dict[str, Any] | None:
    """The fields to change on a stored paper, or None when nothing changes."""
    values = record.values
    overwrite = _overrides(record, row)
    changes: dict[str, Any] = {}
    for name in _FIELDS:
        if name in _RAW_OF.values():
            continue  # follows its clean field, below
        new, old = values[name], row[name]
        if name == "versions":
            new = _union_versions(old, new)  # every source's history counts, even an older one
        elif name == "version":
            new = max(new or 0, old or 0) or old
        elif _empty(new) or (not overwrite and not _empty(old)):
            continue
        if new != old:
            changes[name] = new
    for clean, raw in _RAW_OF.items():
        # An empty raw field means "same as the clean one", so it is not a missing value: it
        # changes whenever its clean field does.
        if clean in changes and values[raw] != row[raw]:
            changes[raw] = values[raw]
    return changes or None


def _overrides(record: Prepared, row: dict[str, Any]) -> bool:
    """Whether the record's fields replace stored ones (otherwise they only fill empty ones)."""
    stored_version = row["version"] or 0
    if record.version is None:  # no version (Dublin Core, arXiv OAI format): go by the date
        return record.updated is not None and (
            row["updated"] is None or record.updated > row["updated"]
        )
    if record.version != stored_version:
        return record.version > stored_version
    return record.updated is None or row["updated"] is None or record.updated >= row["updated"]


def _union_versions(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_number = {v["version"]: v for v in old}
    for v in new:
        by_number[v["version"]] = {**by_number.get(v["version"], {}), **v}
    return [by_number[n] for n in sorted(by_number)]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _create(papers: list[dict[str, Any]], result: BatchResult, now: datetime) -> set[str]:
    """Insert the papers; return the ids this call inserted (not another import meanwhile)."""
    if not papers:
        return set()
    columns = list(papers[0])
    rows = [tuple(p.values()) for p in papers]
    try:
        # Plain INSERT (COPY on PostgreSQL) in a savepoint: the fast path. Only when another
        # import stored one of these papers meanwhile does it fail, and the slower conflict-
        # skipping INSERT runs instead.
        with transaction.atomic():
            inserted = insert_rows(Paper, columns, rows, encoded=JSON_COLUMNS)
    except IntegrityError:
        inserted = insert_rows(Paper, columns, rows, ignore_conflicts=True, encoded=JSON_COLUMNS)
    ids = [p["arxiv_id"] for p in papers]
    result.ids.update(ids_by(Paper, "arxiv_id", ids))
    lost = [arxiv_id for arxiv_id in ids if arxiv_id not in result.ids]
    if lost:  # SQLite's INSERT OR IGNORE also swallows NOT NULL violations: never lose silently
        raise RuntimeError(f"papers could not be stored: {', '.join(lost[:5])}")
    if inserted == len(ids):
        return set(ids)
    # Some rows conflicted: ours are the ones stamped with this batch's time.
    return set(
        Paper.objects.filter(arxiv_id__in=ids, created_at=now).values_list("arxiv_id", flat=True)
    )


def _update(updates: list[tuple[int, str, dict[str, Any]]]) -> None:
    for pk, _, changes in updates:
        Paper.objects.filter(pk=pk).update(**changes)


def _link_authors(papers: list[tuple[int, Prepared]], *, replace: list[int]) -> None:
    """(Re)create the ordered authorships of the given papers, creating authors as needed."""
    if replace:
        Authorship.objects.filter(paper_id__in=replace).delete()
    names: dict[str, str] = {}
    for _, record in papers:
        names.update(zip(record.author_keys, record.values["authors"], strict=True))
    if not names:
        return
    author_ids = _author_ids(names)
    links = [
        (pk, author_ids[key], position)
        for pk, record in papers
        for position, key in enumerate(record.author_keys)
    ]
    insert_rows(Authorship, ("paper", "author", "position"), links)


class _AuthorIds:
    """Ids of authors met in earlier batches of this process (committed ones only), so that the
    60% of authorships that name an author already seen skip the database round trips.
    Bounded: the oldest entries go first, so memory stays flat on a 2.7-million-paper import."""

    def __init__(self, limit: int = 300_000) -> None:
        self.limit = limit
        self.ids: dict[str, int] = {}
        self.enabled = False

    @contextmanager
    def during_import(self) -> Iterator[None]:
        """Cache only while one import runs: outside it (a web process living for days) an
        author deleted meanwhile could leave a stale id behind."""
        self.ids.clear()
        self.enabled = True
        try:
            yield
        finally:
            self.enabled = False
            self.ids.clear()

    def remember(self, found: dict[str, int]) -> None:
        if not self.enabled:
            return
        self.ids.update(found)
        for key in list(itertools.islice(self.ids, max(0, len(self.ids) - self.limit))):
            del self.ids[key]


author_cache = _AuthorIds()


def _author_ids(names: dict[str, str]) -> dict[str, int]:
    """Ids of the authors with these keys, creating the missing ones."""
    cached = author_cache.ids
    found = {key: cached[key] for key in names if key in cached}
    rest = [(key, name[:300]) for key, name in names.items() if key not in found]
    if rest:
        fetched = ensure_ids(Author, ("key", "name"), rest)
        found.update(fetched)
        transaction.on_commit(lambda: author_cache.remember(fetched))
    return found
