"""Client for the arXiv Atom API (export.arxiv.org/api/query): category searches and id look-ups."""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from paperfeed.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperfeed.lib.http import PoliteSource
from paperfeed.lib.records import PaperRecord, RejectedRecord, SourceError, Version

logger = logging.getLogger(__name__)

API_URL = "https://export.arxiv.org/api/query"
MAX_PAGE_SIZE = 2000  # arXiv's documented limit for max_results in one request
IDS_PER_REQUEST = 100  # keeps id_list URLs short
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
}
_ERROR_ID = re.compile(r"^https?://arxiv\.org/api/errors", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
SortBy = Literal["submittedDate", "lastUpdatedDate"]  # the dates a listing can be sorted by


class ArxivApiError(SourceError):
    """The arXiv API refused a request, kept failing, or sent something that is not a feed."""


@dataclass(slots=True)
class AtomPage:
    """One response of the API. `start_index` is the offset it was fetched at."""

    total_results: int
    start_index: int
    items_per_page: int
    entries: list[PaperRecord | RejectedRecord] = field(default_factory=list)

    @property
    def records(self) -> list[PaperRecord]:
        return [entry for entry in self.entries if isinstance(entry, PaperRecord)]

    @property
    def next_start(self) -> int:
        """The `start=` that continues after this page: save it to resume a search later."""
        return self.start_index + len(self.entries)


def parse_atom_feed(body: bytes | str) -> AtomPage:
    """Parse an API response; raise ArxivApiError for arXiv's error feed or unreadable XML."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ArxivApiError(f"the arXiv API response is not valid XML: {exc}") from exc
    if root.tag != f"{{{NS['atom']}}}feed":
        raise ArxivApiError(f"expected an Atom <feed>, found <{root.tag}>")
    if error := _error_summary(root):
        raise ArxivApiError(f"arXiv API error: {error}")
    start_index = _int(root.findtext("opensearch:startIndex", None, NS))
    entries: list[PaperRecord | RejectedRecord] = []
    for number, entry in enumerate(root.findall("atom:entry", NS), start=1):
        location = f"entry {number} of page start={start_index}"
        entries.append(_entry_record(entry, location))
    return AtomPage(
        total_results=_int(root.findtext("opensearch:totalResults", None, NS)),
        start_index=start_index,
        items_per_page=_int(root.findtext("opensearch:itemsPerPage", None, NS)),
        entries=entries,
    )


def read_atom_file(path: str | Path) -> AtomPage:
    """Read a saved response: raw Atom XML, or a recorded `{url, status_code, body}` JSON file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ArxivApiError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if data.lstrip().startswith(b"{"):
        try:
            recorded = json.loads(data)
            body, status = recorded["body"], int(recorded.get("status_code", 200))
        except (ValueError, KeyError, TypeError) as exc:
            raise ArxivApiError(f"{path} is JSON but not a recorded API response") from exc
        page = parse_atom_feed(body)
        if status >= 400:
            raise ArxivApiError(f"{path} records HTTP {status} from the arXiv API")
        return page
    return parse_atom_feed(data)


class ArxivApiClient(PoliteSource):
    """Pages through arXiv API searches politely; see PoliteClient for delays and retries."""

    default_url = API_URL
    default_timeout = 30.0
    error = ArxivApiError

    def search(
        self,
        *,
        categories: list[str],
        sort_by: SortBy = "submittedDate",
        sort_order: Literal["ascending", "descending"] = "descending",
        start: int = 0,
        page_size: int = 200,
        max_results: int | None = None,
        until: datetime | None = None,
    ) -> Iterator[AtomPage]:
        """Yield one page per request from `start` on, until the results or `max_results` end.

        `until` keeps only papers whose `sort_by` date is at or before it (to the minute): a
        position in a newest-first listing that new papers cannot shift, for resuming.
        """
        if not categories:
            raise ValueError("search needs at least one category, e.g. ['cs.LG']")
        if page_size < 1 or start < 0 or (max_results is not None and max_results < 0):
            raise ValueError("page_size must be positive; start and max_results not negative")
        wanted = " OR ".join(f"cat:{category}" for category in categories)
        if until is not None:
            stamp = until.astimezone(UTC).strftime("%Y%m%d%H%M")
            wanted = f"({wanted}) AND {sort_by}:[199101010000 TO {stamp}]"
        query: dict[str, str | int] = {
            "search_query": wanted,
            "sortBy": sort_by,
            "sortOrder": sort_order,
        }
        fetched = 0
        while max_results is None or fetched < max_results:
            size = min(page_size, MAX_PAGE_SIZE)
            if max_results is not None:
                size = min(size, max_results - fetched)
            page = self._fetch_page({**query, "start": start, "max_results": size})
            yield page
            fetched += len(page.entries)
            start = page.next_start
            if not page.entries or start >= page.total_results:
                return

    def fetch_ids(self, ids: list[str]) -> list[PaperRecord]:
        """Look papers up by id (any form parse_arxiv_id accepts, versioned or not)."""
        wanted = [_id_for_request(text) for text in ids if text.strip()]
        records: list[PaperRecord] = []
        for first in range(0, len(wanted), IDS_PER_REQUEST):
            batch = wanted[first : first + IDS_PER_REQUEST]
            params: dict[str, str | int] = {"id_list": ",".join(batch), "max_results": len(batch)}
            page = self._get(params)
            for entry in page.entries:
                if isinstance(entry, RejectedRecord):
                    logger.warning("skipped %s: %s", entry.location, entry.reason)
                else:
                    records.append(entry)
        return records

    def _fetch_page(self, params: dict[str, str | int]) -> AtomPage:
        # arXiv sometimes answers a page inside the result set with no entries; asking again
        # usually returns them, so such a page is retried before it is taken as a failure.
        for attempt in range(self.http.max_retries + 1):
            page = self._get(params)
            page.start_index = int(params["start"])  # what callers save, even if the feed omits it
            if page.entries or page.start_index >= page.total_results:
                return page
            if attempt < self.http.max_retries:
                reason = f"empty page at start={params['start']} of {page.total_results}"
                self.http.pause_before_retry(reason, attempt)
        raise ArxivApiError(
            f"arXiv kept returning an empty page at start={params['start']} although it reports "
            f"{page.total_results} results; resume later with start={params['start']}"
        )

    def _get(self, params: dict[str, str | int]) -> AtomPage:
        response = self.http.get(self.base_url, params=params)
        if response.status_code >= 400:
            # arXiv explains a bad request (such as a malformed id) in an Atom error feed.
            where = f"{response.request.url} answered HTTP {response.status_code}"
            detail = _error_summary(response.content)
            raise ArxivApiError(f"arXiv API error: {detail} ({where})" if detail else where)
        return parse_atom_feed(response.content)


def _error_summary(body: bytes | str | ET.Element) -> str | None:
    """The message of arXiv's error feed (an entry whose id is .../api/errors#...), if it is one."""
    try:
        root = body if isinstance(body, ET.Element) else ET.fromstring(body)
    except ET.ParseError:
        return None
    for entry in root.findall("atom:entry", NS):
        entry_id = _text(entry, "atom:id") or ""
        if _ERROR_ID.match(entry_id):
            return _text(entry, "atom:summary") or entry_id.partition("#")[2].replace("_", " ")
    return None


def _entry_record(entry: ET.Element, location: str) -> PaperRecord | RejectedRecord:
    raw_id = _text(entry, "atom:id")
    if not raw_id:
        return RejectedRecord(location=location, reason="the entry has no <id>")
    try:
        parsed = parse_arxiv_id(raw_id)
    except InvalidArxivId as exc:
        return RejectedRecord(location=location, reason=str(exc))
    title = _text(entry, "atom:title")
    if not title:
        return RejectedRecord(location=location, reason=f"{parsed.id} has no title")
    published = _datetime(_text(entry, "atom:published"))
    updated = _datetime(_text(entry, "atom:updated"))
    versions = []
    if parsed.version:
        created = published if parsed.version == 1 else updated
        versions = [Version(number=parsed.version, created=created)]
    return PaperRecord(
        arxiv_id=parsed.id,
        title=title,
        source="arxiv-api",
        abstract=_text(entry, "atom:summary") or "",
        authors=[name for a in entry.findall("atom:author", NS) if (name := _text(a, "atom:name"))],
        categories=_categories(entry),
        version=parsed.version,
        versions=versions,
        published=published,
        updated=updated,
        comments=_text(entry, "arxiv:comment"),
        journal_ref=_text(entry, "arxiv:journal_ref"),
        doi=_text(entry, "arxiv:doi"),
    )


def _categories(entry: ET.Element) -> list[str]:
    primary = entry.find("arxiv:primary_category", NS)
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [category.get("term", "") for category in entry.findall("atom:category", NS)]
    return list(dict.fromkeys(term.strip() for term in terms if term.strip()))


def _id_for_request(text: str) -> str:
    # arXiv is the authority on its ids: a form paperfeed cannot parse is sent as typed, and
    # arXiv's own error message ("incorrect id format for ...") reaches the user.
    try:
        return parse_arxiv_id(text).versioned
    except InvalidArxivId:
        return text.strip()


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path, NS)
    if found is None or found.text is None:
        return None
    return _SPACES.sub(" ", found.text).strip() or None


def _datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _int(text: str | None) -> int:
    try:
        return int((text or "0").strip())
    except ValueError:
        return 0
