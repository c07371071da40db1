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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from paperfeed.lib.records import PaperRecord
from paperfeed.papers.bulk import db_value, ids_by, insert_rows
from paperfeed.papers.models import Author, Authorship, Paper
from paperfeed.papers.prepare import PAPER_COLUMNS, Prepared, prepare
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
            raced = {p.arxiv_id: p for p in to_create if p.arxiv_id not in created}
            to_update += _plan(raced, result, now)[1]
            to_create = [p for p in to_create if p.arxiv_id in created]
        _update(to_update)
        relinked = [(pk, arxiv_id) for pk, arxiv_id, changes in to_update if "authors" in changes]
        _link_authors(
            [(result.ids[p.arxiv_id], p) for p in to_create]
            + [(pk, incoming[arxiv_id]) for pk, arxiv_id in relinked],
            replace=[pk for pk, _ in relinked],
        )
        if to_create or to_update:
            papers_stored.send(
                sender=Paper,
                created=[result.ids[p.arxiv_id] for p in to_create],
                changed={pk: set(changes) for pk, _, changes in to_update},
                links={result.ids[p.arxiv_id]: p.links for p in to_create},
            )
        result.new = len(to_create)
        result.updated = len(to_update)
        result.unchanged = len(incoming) - result.new - result.updated
        if on_stored is not None:
            on_stored(result)
    return result


def _plan(
    incoming: dict[str, Prepared], result: BatchResult, now: datetime
) -> tuple[list[Prepared], list[tuple[int, str, dict[str, Any]]]]:
    """Records to insert, and (pk, arxiv_id, changed fields) to update; fills result.outcomes."""
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
    to_create: list[Prepared] = []
    to_update: list[tuple[int, str, dict[str, Any]]] = []
    for arxiv_id, record in incoming.items():
        row = stored.get(arxiv_id)
        if row is None:
            to_create.append(record)
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


_INSERTED = ("arxiv_id", *PAPER_COLUMNS, "source", "last_source", "created_at", "modified_at")


def _create(papers: list[Prepared], result: BatchResult, now: datetime) -> set[str]:
    """Insert the papers; return the ids this call inserted (not another import meanwhile)."""
    if not papers:
        return set()
    stamp = db_value(Paper, "created_at", now)
    # Each record's row is already in database form (prepared in the worker processes).
    rows = [(p.arxiv_id, *p.row, p.source, p.source, stamp, stamp) for p in papers]
    try:
        # Plain INSERT (COPY on PostgreSQL) in a savepoint: the fast path. Only when another
        # import stored one of these papers meanwhile does it fail, and the slower conflict-
        # skipping INSERT runs instead.
        with transaction.atomic():
            inserted = insert_rows(Paper, _INSERTED, rows, encoded=_INSERTED)
    except IntegrityError:
        inserted = insert_rows(Paper, _INSERTED, rows, ignore_conflicts=True, encoded=_INSERTED)
    ids = [p.arxiv_id for p in papers]
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
    """(Re)create the ordered authorships of the given papers, creating authors as needed.

    Set-based, two statements whatever the number of papers: the authors' keys and names that
    the worker processes prepared go to the database as JSON documents, and the database inserts
    the missing authors and joins the authorships to them. Row by row from Python this was half
    of a snapshot import's writing time (about 7 authorships a paper).
    """
    if replace:
        Authorship.objects.filter(paper_id__in=replace).delete()
    papers = [(pk, p) for pk, p in papers if p.author_names]
    if not papers:
        return
    names = "{" + ",".join(p.author_names for _, p in papers) + "}"  # {key: name, ...}
    keys = "{" + ",".join(f'"{pk}":{p.author_keys}' for pk, p in papers) + "}"  # {id: [key]}
    tables = {
        "author": connection.ops.quote_name(Author._meta.db_table),
        "authorship": connection.ops.quote_name(Authorship._meta.db_table),
    }
    authors_sql, authorships_sql = (
        _LINK_POSTGRES if connection.vendor == "postgresql" else _LINK_SQLITE
    )
    with connection.cursor() as cursor:
        cursor.execute(authors_sql.format(**tables), [names])
        cursor.execute(authorships_sql.format(**tables), [keys])


# A JSON object keeps every member, in order, even members of the same name: the first name
# given for a new key is kept, as in later batches. In key order, and the authorships in author
# order, the inserts go through each index once from start to end instead of jumping about
# (measured at 75,000 papers: 5-7% less time for the two statements). Each author's id is a
# subquery, one index look-up: PostgreSQL, which has no statistics for the JSON, otherwise
# hash-joins the whole author table for every batch; and a missing author fails the batch
# (NOT NULL) instead of dropping the authorship.
_LINK_SQLITE = (
    """INSERT OR IGNORE INTO {author} ("key", "name")
    SELECT key, value FROM json_each(%s) ORDER BY key, id""",
    """INSERT INTO {authorship} ("paper_id", "author_id", "position")
    SELECT p.key, (SELECT au.id FROM {author} AS au WHERE au."key" = a.value), a.key
    FROM json_each(%s) AS p, json_each(p.value) AS a
    ORDER BY 2""",
)
_LINK_POSTGRES = (
    # Keys in order also make two imports at once take their locks in the same order (no
    # deadlock); ON CONFLICT waits for the other's commit, and the next statement sees its rows.
    """INSERT INTO {author} ("key", "name")
    SELECT DISTINCT ON (e.key) e.key, e.value
    FROM json_each_text(%s::json) WITH ORDINALITY AS e(key, value, n)
    ORDER BY e.key, e.n
    ON CONFLICT DO NOTHING""",
    """INSERT INTO {authorship} ("paper_id", "author_id", "position")
    SELECT p.key::bigint, (SELECT au.id FROM {author} AS au WHERE au."key" = a.key), a.n - 1
    FROM json_each(%s::json) AS p
    CROSS JOIN LATERAL json_array_elements_text(p.value) WITH ORDINALITY AS a(key, n)
    ORDER BY 2""",
)
