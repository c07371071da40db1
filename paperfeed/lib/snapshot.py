"""Read the Kaggle arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json): a paper a line.

The snapshot has millions of lines, so it is streamed, plain or gzipped, and one bad line becomes a
RejectedRecord instead of stopping the import.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from paperfeed.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperfeed.lib.records import PaperRecord, RejectedRecord, SourceError, Version
from paperfeed.lib.text import split_authors

_GZIP_MAGIC = b"\x1f\x8b"
_MONTHS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
_OPTIONAL = (
    ("comments", "comments"),
    ("journal-ref", "journal_ref"),
    ("doi", "doi"),
    ("report-no", "report_no"),
    ("license", "license"),
    ("submitter", "submitter"),
)


def read_snapshot(path: str | Path) -> Iterator[PaperRecord | RejectedRecord]:
    """Yield a record for every non-blank line of the snapshot at `path`.

    Raises SourceError at once if the file cannot be opened, and during iteration if a gzipped
    file turns out to be corrupt.
    """
    reader = SnapshotReader(path)  # opened now, so a missing file fails before anything is read
    return (parse_snapshot_line(line, line_no) for line_no, line in reader.lines())


class SnapshotReader:
    """The snapshot's lines, streamed, with how far into the file the reader has got.

    `position` counts bytes of the file as stored (compressed bytes for a .gz), so that
    `position / size` is the fraction done either way.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._raw = _open(self.path)
        self.size = os.fstat(self._raw.fileno()).st_size
        gzipped = self._raw.read(2) == _GZIP_MAGIC or self.path.suffix == ".gz"
        self._raw.seek(0)
        self._handle: io.BufferedIOBase = gzip.GzipFile(fileobj=self._raw) if gzipped else self._raw

    @property
    def position(self) -> int:
        try:
            return self._raw.tell()
        except (OSError, ValueError):  # closed meanwhile by the thread that reads to the end
            return self.size

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number, line) for each non-blank line; the file is closed at the end."""
        line_no = 0
        try:
            with self._handle, self._raw:
                for line_no, line in enumerate(self._handle, start=1):
                    if not line.isspace():
                        yield line_no, line
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            raise SourceError(
                f"{self.path} is not a readable gzip file (after line {line_no}): {err}; "
                "download it again or decompress it to check"
            ) from None
        except OSError as err:
            raise SourceError(f"cannot read {self.path} after line {line_no}: {err}") from None

    def chunks(self, size: int) -> Iterator[list[tuple[int, bytes]]]:
        """The lines in lists of `size`, to hand to worker processes."""
        chunk: list[tuple[int, bytes]] = []
        try:
            for item in self.lines():
                chunk.append(item)
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
        except SourceError:
            if chunk:  # the lines read before a corrupt stretch are still good
                yield chunk
            raise
        if chunk:
            yield chunk


def _open(path: Path) -> io.BufferedReader:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise SourceError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"cannot read {path}: it is a directory, not a snapshot file") from None
    except PermissionError:
        raise SourceError(f"cannot read {path}: permission denied") from None
    except OSError as err:
        raise SourceError(f"cannot read {path}: {err.strerror or err}") from None


def parse_snapshot_line(line: bytes, line_no: int) -> PaperRecord | RejectedRecord:
    """One snapshot line as a PaperRecord, or a RejectedRecord that says what is wrong with it."""
    location = f"line {line_no}"
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as err:
        return RejectedRecord(location=location, reason=_json_problem(line, err))
    if not isinstance(data, dict):
        return RejectedRecord(location=location, reason=f"not a JSON object: {_shorten(line)}")
    try:
        return _record(data, location)
    except (TypeError, ValueError, AttributeError, OverflowError) as err:
        return RejectedRecord(location=location, reason=f"unexpected field value: {err}")


def _record(data: dict[str, Any], location: str) -> PaperRecord | RejectedRecord:
    raw_id = data.get("id")
    if raw_id is None or raw_id == "":
        return RejectedRecord(location=location, reason="missing id")
    if not isinstance(raw_id, str):
        return RejectedRecord(location=location, reason=f"bad id {raw_id!r}: not a string")
    try:
        arxiv_id = parse_arxiv_id(raw_id).id
    except InvalidArxivId as err:
        return RejectedRecord(location=location, reason=f"bad id: {err}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        return RejectedRecord(location=location, reason=f"{arxiv_id} has no title")
    versions = _versions(data.get("versions"))
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=title.strip(),
        source="kaggle",
        abstract=(data.get("abstract") or "").strip(),
        authors=_authors(data),
        categories=_categories(data.get("categories")),
        version=versions[-1].number if versions else None,
        versions=versions,
        published=versions[0].created if versions else None,
        updated=_updated(versions, data.get("update_date")),
    )
    for key, attribute in _OPTIONAL:
        value = data.get(key)
        if isinstance(value, str) and (value := value.strip()):
            setattr(record, attribute, value)
    return record


def _authors(data: dict[str, Any]) -> list[str]:
    # The "authors" string keeps the LaTeX ("C. Bal\\'azs") that the stored raw names need;
    # "authors_parsed" holds names that were already converted, so it is only a fallback.
    authors = data.get("authors")
    if isinstance(authors, str) and authors.strip():
        return split_authors(authors)
    names = []
    for entry in data.get("authors_parsed") or ():
        if isinstance(entry, list) and len(entry) >= 2:
            last, first, suffix = (entry + [""])[:3]  # [last, first, suffix, affiliation...]
            name = " ".join(str(part) for part in (first, last, suffix) if part)
            if name := " ".join(name.split()):
                names.append(name)
    return names


def _categories(value: object) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(category) for category in value if category]
    return []


def _versions(value: object) -> list[Version]:
    versions: dict[int, Version] = {}
    for entry in value if isinstance(value, list) else ():
        label = entry.get("version") if isinstance(entry, dict) else None
        if not isinstance(label, str) or not label[1:].isdigit() or label[:1] not in "vV":
            continue
        number = int(label[1:])
        created = entry.get("created")
        versions[number] = Version(
            number=number, created=_parse_created(created) if isinstance(created, str) else None
        )
    return [versions[number] for number in sorted(versions)]


def _updated(versions: list[Version], update_date: object) -> datetime | None:
    candidates = [versions[-1].created] if versions and versions[-1].created else []
    if isinstance(update_date, str) and (day := _parse_day(update_date)):
        candidates.append(day)
    return max(candidates, default=None)


@lru_cache(maxsize=8192)
def _parse_created(text: str) -> datetime | None:
    """An RFC 2822 date ("Mon, 2 Apr 2007 19:18:42 GMT" or "... +0000") as an aware UTC time."""
    parts = text.split()
    if parts and parts[0].endswith(","):
        parts = parts[1:]  # the weekday says nothing the date does not
    try:
        day, month, year, clock, zone = parts
        hour, minute, second = clock.split(":")
        moment = datetime(int(year), _MONTHS[month[:3].title()], int(day),
                          int(hour), int(minute), int(second), tzinfo=UTC)  # fmt: skip
        return moment - _offset(zone)
    except (ValueError, KeyError):
        return None


def _offset(zone: str) -> timedelta:
    if zone.upper() in ("GMT", "UTC", "UT", "Z"):
        return timedelta(0)
    if len(zone) == 5 and zone[0] in "+-" and zone[1:].isdigit():
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:]))
        return offset if zone[0] == "+" else -offset
    raise ValueError(f"unknown time zone {zone!r}")


@lru_cache(maxsize=4096)
def _parse_day(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip()[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None


def _json_problem(line: bytes, err: orjson.JSONDecodeError) -> str:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"not valid UTF-8 (byte {line[bad.start]:#04x} at position {bad.start})"
    return f"invalid JSON ({err}): {_shorten(line)}"


def _shorten(line: bytes) -> str:
    text = line.decode("utf-8", errors="replace").strip()
    return text if len(text) <= 80 else text[:77] + "..."
