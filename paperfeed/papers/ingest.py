"""The one way papers enter the catalog, whatever their source.

`paper_upsert` stores one record; `papers_upsert_batch` stores many in one transaction and is what
bulk imports use. Both are idempotent: storing the same record twice changes nothing.

Merge rules, so that sources can be mixed and re-run in any order:
- a record with a newer version than the stored one replaces every field it provides;
- a record with the same version replaces fields only if it is at least as recent (`updated`),
  which lets a metadata refresh (a journal-ref added later) through;
- a record with an older version changes nothing;
- a record without a version (Hugging Face, Dublin Core) only fills fields that are empty;
- fields a source does not provide (None or empty) keep what is stored, and the version
  history is the union of what every source reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from paperfeed.lib.records import PaperRecord
from paperfeed.papers.bulk import insert_rows
from paperfeed.papers.models import Author, Authorship, Paper
from paperfeed.papers.prepare import Prepared, name_key, prepare

# Fields compared to decide whether a stored paper changed.
_FIELDS = (
    "version", "versions", "title", "title_raw", "abstract", "abstract_raw", "authors",
    "authors_raw", "primary_category", "categories", "comments", "journal_ref", "doi",
    "report_no", "license", "submitter", "published", "updated",
)  # fmt: skip


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
        stored = {
            row["arxiv_id"]: row
            for row in Paper.objects.filter(arxiv_id__in=list(incoming)).values(
                "id", "arxiv_id", *_FIELDS
            )
        }
        to_create: list[dict[str, Any]] = []
        to_update: list[tuple[int, dict[str, Any]]] = []
        for arxiv_id, record in incoming.items():
            values = dict(record.values)
            row = stored.get(arxiv_id)
            if row is None:
                values["version"] = values["version"] or 1
                to_create.append({"arxiv_id": arxiv_id, **values, "source": record.source,
                                  "last_source": record.source, "created_at": now,
                                  "modified_at": now})  # fmt: skip
                result.outcomes[arxiv_id] = "new"
                continue
            result.ids[arxiv_id] = row["id"]
            merged = _merge(row, values, record)
            if merged is None:
                result.outcomes[arxiv_id] = "unchanged"
            else:
                merged.update(last_source=record.source, modified_at=now)
                to_update.append((row["id"], merged))
                result.outcomes[arxiv_id] = "updated"
        _create(to_create, result)
        _update(to_update)
        _link_authors(
            [(result.ids[p["arxiv_id"]], p["authors"], p["authors_raw"]) for p in to_create]
            + [(pk, v["authors"], v["authors_raw"]) for pk, v in to_update if "authors" in v],
            replace=[pk for pk, v in to_update if "authors" in v],
        )
        result.new = len(to_create)
        result.updated = len(to_update)
        result.unchanged = len(incoming) - result.new - result.updated
        if on_stored is not None:
            on_stored(result)
    return result


def _dedupe(records: Iterable[PaperRecord | Prepared]) -> dict[str, Prepared]:
    """One record per id; when a batch holds several, the newest one wins."""
    chosen: dict[str, Prepared] = {}
    for item in records:
        prepared = prepare(item)
        previous = chosen.get(prepared.arxiv_id)
        if previous is None or prepared.rank >= previous.rank:
            chosen[prepared.arxiv_id] = prepared
    return chosen


def _merge(row: dict[str, Any], values: dict[str, Any], record: Prepared) -> dict[str, Any] | None:
    """The fields to change on a stored paper, or None when nothing changes."""
    stored_version = row["version"] or 0
    if record.version is not None and record.version < stored_version:
        return None
    overwrite = record.version is not None and (
        record.version > stored_version
        or record.updated is None
        or row["updated"] is None
        or record.updated >= row["updated"]
    )
    changes: dict[str, Any] = {}
    for name in _FIELDS:
        new, old = values[name], row[name]
        if name == "versions":
            new = _union_versions(old, new)
        elif name == "version":
            new = max(new or 0, old or 0) or old
        elif _empty(new) or (not overwrite and not _empty(old)):
            continue
        if new != old:
            changes[name] = new
    if ("authors" in changes) != ("authors_raw" in changes):
        changes["authors"], changes["authors_raw"] = values["authors"], values["authors_raw"]
    return changes or None


def _union_versions(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_number = {v["version"]: v for v in old}
    for v in new:
        by_number[v["version"]] = {**by_number.get(v["version"], {}), **v}
    return [by_number[n] for n in sorted(by_number)]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _create(papers: list[dict[str, Any]], result: BatchResult) -> None:
    if not papers:
        return
    columns = list(papers[0])
    # Ignore conflicts: a concurrent import may have stored the same paper meanwhile; the ids are
    # read back below either way.
    insert_rows(Paper, columns, [tuple(p.values()) for p in papers], ignore_conflicts=True)
    ids = [p["arxiv_id"] for p in papers]
    for arxiv_id, pk in Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "id"):
        result.ids[arxiv_id] = pk
    lost = [arxiv_id for arxiv_id in ids if arxiv_id not in result.ids]
    if lost:  # SQLite's INSERT OR IGNORE also swallows NOT NULL violations: never lose silently
        raise RuntimeError(f"papers could not be stored: {', '.join(lost[:5])}")


def _update(updates: list[tuple[int, dict[str, Any]]]) -> None:
    for pk, changes in updates:
        Paper.objects.filter(pk=pk).update(**changes)


def _link_authors(papers: list[tuple[int, list[str], list[str]]], *, replace: list[int]) -> None:
    """(Re)create the ordered authorships of the given papers, creating authors as needed."""
    if replace:
        Authorship.objects.filter(paper_id__in=replace).delete()
    names: dict[str, str] = {}
    for _, clean_names, _raw in papers:
        for name in clean_names:
            names.setdefault(name_key(name), name)
    if not names:
        return
    author_ids = _author_ids(names)
    links = [
        (pk, author_ids[name_key(name)], position, raw[:400])
        for pk, clean_names, raws in papers
        for position, (name, raw) in enumerate(zip(clean_names, raws, strict=True))
    ]
    insert_rows(Authorship, ("paper", "author", "position", "name_raw"), links)


def _author_ids(names: dict[str, str]) -> dict[str, int]:
    """Ids of the authors with these keys, creating the missing ones."""
    keys = list(names)
    found = _author_ids_of(keys)
    missing = [(key, names[key][:300]) for key in keys if key not in found]
    if missing:
        insert_rows(Author, ("key", "name"), missing, ignore_conflicts=True)
        found.update(_author_ids_of([key for key, _ in missing]))
    return found


def _author_ids_of(keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), 900):  # stay under SQLite's bound-parameter limit
        chunk = keys[start : start + 900]
        found.update(Author.objects.filter(key__in=chunk).values_list("key", "id"))
    return found
