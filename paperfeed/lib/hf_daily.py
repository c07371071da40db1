"""Read Hugging Face Daily Papers: the /api/daily_papers JSON and collections of featured papers.

Both the older response (the item's `publishedAt` is the day it was featured, `submittedBy`) and
the newer one (`submittedOnDailyAt`, `submittedOnDailyBy`, plus fields paperfeed does not use) are
accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from paperfeed.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperfeed.lib.records import FeaturedRecord, PaperRecord, RejectedRecord, SourceError

Result = FeaturedRecord | RejectedRecord


def parse_daily_papers(data: bytes | str | list[Any]) -> Iterator[Result]:
    """One record per item of a daily_papers response; raises SourceError if it is not a list."""
    items = _load(data, "the daily papers response")
    if not isinstance(items, list):
        raise SourceError(
            f"the daily papers response is a JSON {type(items).__name__}, expected a list of papers"
        )
    for number, item in enumerate(items, start=1):
        yield _daily_item(item, f"item {number}")


def read_daily_papers_file(path: str | Path) -> Iterator[Result]:
    """parse_daily_papers over a saved response; raises SourceError if the file can't be read."""
    return parse_daily_papers(_read(Path(path)))


def parse_featured_collection(data: bytes | str | dict[str, Any]) -> Iterator[Result]:
    """Records for a collection of featured papers keyed by arXiv id.

    Each value holds url, title, authors, abstract, publication_date and upvotes; the collection
    does not say who submitted a paper or when exactly it was featured, so the publication date
    stands in for the day.
    """
    collection = _load(data, "the featured collection")
    if not isinstance(collection, dict):
        raise SourceError(
            f"the featured collection is a JSON {type(collection).__name__}, "
            "expected an object keyed by arXiv id"
        )
    for key, item in collection.items():
        yield _featured_item(key, item)


def _daily_item(item: object, location: str) -> Result:
    if not isinstance(item, dict):
        return RejectedRecord(location=location, reason="not a JSON object")
    # Some endpoints list papers directly instead of wrapping each in an item.
    paper = item["paper"] if isinstance(item.get("paper"), dict) else item
    arxiv_id = _arxiv_id(paper.get("id"))
    if not isinstance(arxiv_id, str):
        return RejectedRecord(location=location, reason=str(arxiv_id))
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        return RejectedRecord(location=location, reason=f"{arxiv_id} has no title")
    featured = _datetime(item.get("submittedOnDailyAt")) or _datetime(item.get("publishedAt"))
    if featured is None:
        return RejectedRecord(location=location, reason=f"{arxiv_id} has no featured date")
    authors = [a.get("name") if isinstance(a, dict) else a for a in paper.get("authors") or ()]
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=title,
        source="hf-daily",
        abstract=_text(paper.get("summary")),
        authors=_names(authors),
        published=_datetime(paper.get("publishedAt")),
    )
    return FeaturedRecord(
        paper=record,
        featured_on=featured.date(),
        submitted_by=_handle(item.get("submittedOnDailyBy") or item.get("submittedBy")),
        upvotes=_count(paper.get("upvotes")),
        num_comments=_count(item.get("numComments")),
    )


def _featured_item(key: str, item: object) -> Result:
    location = f"item {key}"
    if not isinstance(item, dict):
        return RejectedRecord(location=location, reason="not a JSON object")
    arxiv_id = _arxiv_id(key)
    if not isinstance(arxiv_id, str) and isinstance(from_url := _arxiv_id(item.get("url")), str):
        arxiv_id = from_url  # the url names the paper too
    if not isinstance(arxiv_id, str):
        return RejectedRecord(location=location, reason=str(arxiv_id))
    title = _text(item.get("title"))
    if not title:
        return RejectedRecord(location=location, reason=f"{arxiv_id} has no title")
    published = _datetime(item.get("publication_date"))
    if published is None:
        return RejectedRecord(location=location, reason=f"{arxiv_id} has no publication date")
    record = PaperRecord(
        arxiv_id=arxiv_id,
        title=title,
        source="hf-featured",
        abstract=_text(item.get("abstract")),
        authors=_names(item.get("authors") or []),
        published=published,
    )
    return FeaturedRecord(
        paper=record, featured_on=published.date(), upvotes=_count(item.get("upvotes"))
    )


def _arxiv_id(value: object) -> str | InvalidArxivId:
    """The canonical id, or the error that says why there is none (the caller reports it)."""
    if not isinstance(value, str) or not value.strip():
        return InvalidArxivId(f"missing arXiv id (found {value!r})")
    try:
        return parse_arxiv_id(value).id
    except InvalidArxivId as err:
        return err


def _handle(user: object) -> str | None:
    # The older schema keeps the handle in "name", the newer one in "user"; both have "fullname".
    if not isinstance(user, dict):
        return None
    for key in ("user", "name", "fullname"):
        value = user.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # A time without a zone can't be placed on a day; featured days are counted in UTC.
    return moment.astimezone(UTC) if moment.tzinfo else None


def _names(values: list[Any]) -> list[str]:
    return [" ".join(name.split()) for name in values if isinstance(name, str) and name.strip()]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _load(data: bytes | str | list[Any] | dict[str, Any], what: str) -> object:
    if not isinstance(data, bytes | str):
        return data
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as err:
        raise SourceError(f"{what} is not valid JSON: {err}") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise SourceError(f"cannot read {path}: {err.strerror or err}") from None
