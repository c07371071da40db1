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

_OLDEST = datetime.min.replace(tzinfo=UTC)
JSON_COLUMNS = ("versions", "authors", "authors_raw")


@dataclass(slots=True)
class Prepared:
    """A record ready to store. `version` is the source's own (None when it gives none)."""

    arxiv_id: str
    source: str
    version: int | None
    updated: datetime | None
    values: dict[str, Any]  # Paper column -> value
    author_keys: list[str]
    json: dict[str, str]  # the JSON columns of `values`, encoded (in the worker, off the writer)
    # The links in its text (paperfeed.links stores them with a new paper): found here, in the
    # worker processes of a bulk import, because finding them costs as much as the cleaning.
    links: list[Link]

    @property
    def rank(self) -> tuple[int, datetime]:
        """Orders records of one paper: newer version first, then later update."""
        return (self.version or 0, self.updated or _OLDEST)


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
    values = {
        "version": record.version or max((v["version"] for v in versions), default=None),
        "versions": versions,
        "title": title,
        "title_raw": _raw_if_different(record.title, title),
        "abstract": abstract,
        "abstract_raw": _raw_if_different(record.abstract or "", abstract),
        "authors": authors,
        "authors_raw": [] if authors_raw == authors else authors_raw,
        "primary_category": record.primary_category or "",
        "categories": " ".join(record.categories),
        "comments": record.comments or "",
        "journal_ref": record.journal_ref or "",
        "doi": record.doi or "",
        "report_no": record.report_no or "",
        "license": record.license or "",
        "submitter": record.submitter or "",
        "published": record.published,
        "updated": record.updated,
    }
    return Prepared(
        arxiv_id=record.arxiv_id,
        source=record.source,
        version=record.version,
        updated=record.updated,
        values=values,
        author_keys=[name_key(name) for name in authors],
        json={name: orjson.dumps(values[name]).decode() for name in JSON_COLUMNS},
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


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The Author.key of a clean name (cached: prolific authors recur on every page)."""
    return author_key(name) or name.casefold()
