"""Turn a source's PaperRecord into the catalog's column values: clean Unicode text, version
history as JSON, author keys. Pure Python (no database), so that bulk imports can run it in
worker processes while the main process writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson

from paperfeed.lib.links import Link, links_find
from paperfeed.lib.names import author_key
from paperfeed.lib.records import PaperRecord, RejectedRecord, Version
from paperfeed.lib.text import clean_name, clean_text, normalize_whitespace

# The Paper columns a record fills, in the order of Prepared.row.
PAPER_COLUMNS = (
    "version", "versions", "title", "title_raw", "abstract", "abstract_raw", "authors",
    "authors_raw", "primary_category", "categories", "comments", "journal_ref", "doi",
    "report_no", "license", "submitter", "published", "updated",
)  # fmt: skip
JSON_COLUMNS = ("versions", "authors", "authors_raw")
DATETIME_COLUMNS = ("published", "updated")
_UPDATED = PAPER_COLUMNS.index("updated")


@dataclass(slots=True)
class Prepared:
    """A record ready to store, in the form the writer inserts as it is: bulk imports prepare
    records in worker processes, and every object or conversion left for the one writing
    process (and for unpickling there) is time on the import's narrowest stage.

    `row` holds the PAPER_COLUMNS values in database form: JSON columns as JSON text, dates as
    UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]" (what Django stores on SQLite; PostgreSQL reads it
    in the connection's time zone, which Django sets to UTC). `values` decodes it for the rarer
    merge with a stored paper. `version` is the source's own (None when it gives none).
    """

    arxiv_id: str
    source: str
    version: int | None
    row: tuple[Any, ...]
    # The authors' keys in order (a JSON array) and "key": "name" members of a JSON object (the
    # first name given for each key): the database makes the Author rows and the authorships
    # from them by SQL (see ingest._link_authors).
    author_keys: str
    author_names: str
    # The links in its text (paperfeed.links stores them with a new paper): found here, in the
    # worker processes of a bulk import, because finding them costs as much as the cleaning.
    links: list[Link]

    @property
    def updated(self) -> datetime | None:
        return _from_utc_text(self.row[_UPDATED])

    @property
    def rank(self) -> tuple[int, str]:
        """Orders records of one paper: newer version first, then later update (the UTC text
        sorts as the dates do)."""
        return (self.version or 0, self.row[_UPDATED] or "")

    @property
    def values(self) -> dict[str, Any]:
        """Paper column -> value, decoded (lists, aware datetimes) as the ORM reads them."""
        values = dict(zip(PAPER_COLUMNS, self.row, strict=True))
        for name in JSON_COLUMNS:
            values[name] = orjson.loads(values[name])
        for name in DATETIME_COLUMNS:
            values[name] = _from_utc_text(values[name])
        return values


class InvalidRecord(ValueError):
    """A record the catalog cannot hold (a version or category out of range)."""


MAX_VERSION = 9999  # arXiv's most revised papers have a few dozen versions


def prepare(record: PaperRecord | Prepared) -> Prepared:
    """The record's column values; raises InvalidRecord for values the catalog cannot hold."""
    if isinstance(record, Prepared):
        return record
    _check(record)
    authors_raw = [name for name in record.authors if name and name.strip()]
    authors = [clean_name(name) for name in authors_raw]
    title = clean_text(record.title)
    abstract = clean_text(record.abstract or "")
    versions = versions_json(record.versions)
    version = record.version or max((v["version"] for v in versions), default=None)
    dumps = orjson.dumps
    row = (
        version or 1,
        dumps(versions).decode(),
        title,
        _raw_if_different(record.title, title),
        abstract,
        _raw_if_different(record.abstract or "", abstract),
        dumps(authors).decode(),
        "[]" if authors_raw == authors else dumps(authors_raw).decode(),
        record.primary_category or "",
        " ".join(record.categories),
        record.comments or "",
        record.journal_ref or "",
        record.doi or "",
        record.report_no or "",
        record.license or "",
        record.submitter or "",
        utc_text(record.published),
        utc_text(record.updated),
    )
    keys = [name_key(name) for name in authors]
    names = {key: name[:300] for key, name in reversed(list(zip(keys, authors, strict=True)))}
    return Prepared(
        arxiv_id=record.arxiv_id,
        source=record.source,
        version=record.version,
        row=row,
        author_keys=dumps(keys).decode(),
        author_names=dumps(names).decode()[1:-1],
        links=links_find(abstract=abstract, comments=record.comments or "",
                         journal_ref=record.journal_ref or ""),
    )  # fmt: skip


def prepare_or_reject(record: PaperRecord, location: str) -> Prepared | RejectedRecord:
    """Prepare a record; whatever is wrong with one record rejects that record, never the run."""
    try:
        return prepare(record)
    except Exception as exc:  # noqa: BLE001 (any failure of one record's values)
        return RejectedRecord(location=location, reason=f"{exc.__class__.__name__}: {exc}")


def _check(record: PaperRecord) -> None:
    numbers = [record.version or 1, *(v.number for v in record.versions)]
    if not all(1 <= number <= MAX_VERSION for number in numbers):
        raise InvalidRecord(f"{record.arxiv_id}: version out of range ({max(numbers)})")
    if record.primary_category and len(record.primary_category) > 40:
        raise InvalidRecord(
            f"{record.arxiv_id}: category {record.primary_category[:50]!r}... too long"
        )


def _raw_if_different(raw: str, clean: str) -> str:
    """The source's text, or "" when the clean form differs from it only in whitespace."""
    return "" if raw == clean or normalize_whitespace(raw) == clean else raw


def versions_json(versions: list[Version]) -> list[dict[str, Any]]:
    out = []
    for v in sorted(versions, key=lambda v: v.number):
        item: dict[str, Any] = {"version": v.number}
        if v.created is not None:
            item["created"] = v.created.isoformat()
        if v.size:
            item["size"] = v.size
        out.append(item)
    return out


def utc_text(value: datetime | None) -> str | None:
    """A date as UTC text in Django's SQLite form, "YYYY-MM-DD HH:MM:SS[.ffffff]"."""
    if value is None:
        return None
    if value.tzinfo is UTC:
        return str(value)[:-6]  # drop "+00:00"
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _from_utc_text(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The Author.key of a clean name (cached: prolific authors recur on every page)."""
    return author_key(name) or name.casefold()
