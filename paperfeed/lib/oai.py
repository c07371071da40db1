"""Harvest arXiv over OAI-PMH (formats arXiv, arXivRaw and oai_dc) with resumable paging."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from paperfeed.lib.arxiv_ids import InvalidArxivId, normalize_arxiv_id
from paperfeed.lib.http import PoliteSource
from paperfeed.lib.records import PaperRecord, RejectedRecord, SourceError, Version

OAI_URL = "https://oaipmh.arxiv.org/oai"
OAI = "http://www.openarchives.org/OAI/2.0/"
ARXIV = "http://arxiv.org/OAI/arXiv/"
ARXIV_RAW = "http://arxiv.org/OAI/arXivRaw/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
_VERBS = ("ListRecords", "GetRecord", "ListIdentifiers")
_SPACES = re.compile(r"\s+")
# Splits "A, B and C" (and "A, B, and C"); parentheses are masked first so that affiliations
# such as "A (MIT, Cambridge)" stay with their author.
_AUTHOR_SEPARATOR = re.compile(r",\s*and\s+|,\s*|\s+and\s+")
_NAME_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)
_ARXIV_NAME_PARTS = ("forenames", "keyname", "suffix")


class OaiError(SourceError):
    """An OAI-PMH failure; `code` is the protocol's error code (badArgument, ...), if any."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class OaiBadResumptionToken(OaiError):
    """The server no longer accepts the saved token (expired or unknown): restart the harvest."""


@dataclass(slots=True)
class OaiPage:
    """One OAI-PMH response: records, ids deleted upstream, and where the list continues."""

    records: list[PaperRecord | RejectedRecord] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # canonical ids of deleted records
    resumption_token: str | None = None  # None: the list is complete
    complete_list_size: int | None = None
    cursor: int | None = None


def parse_oai_response(body: bytes | str) -> OaiPage:
    """Parse one OAI-PMH response; raise OaiError for protocol errors other than noRecordsMatch."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise OaiError(f"the OAI-PMH response is not valid XML: {exc}") from exc
    if root.tag != f"{{{OAI}}}OAI-PMH":
        raise OaiError(f"expected an <OAI-PMH> response, found <{root.tag}>")
    errors = [(e.get("code", ""), _clean(e.text) or "") for e in root.findall(f"{{{OAI}}}error")]
    for code, message in errors:
        if code != "noRecordsMatch":  # an empty result, not a failure
            kind = OaiBadResumptionToken if code == "badResumptionToken" else OaiError
            raise kind(f"OAI-PMH error {code}: {message}", code=code)
    page = OaiPage()
    verb = next((v for name in _VERBS if (v := root.find(f"{{{OAI}}}{name}")) is not None), None)
    if verb is None:
        return page
    # ListIdentifiers lists bare headers; ListRecords and GetRecord wrap them in records.
    gone = [h for h in verb.iterfind(f"{{{OAI}}}header") if h.get("status") == "deleted"]
    for number, record in enumerate(verb.iterfind(f"{{{OAI}}}record"), start=1):
        header = record.find(f"{{{OAI}}}header")
        if header is not None and header.get("status") == "deleted":
            gone.append(header)  # a deleted record carries no metadata
        else:
            page.records.append(_record(record, number))
    page.deleted = [arxiv_id for header in gone if (arxiv_id := _header_id(header))]
    token = verb.find(f"{{{OAI}}}resumptionToken")
    if token is not None:
        page.resumption_token = _clean(token.text)
        page.complete_list_size = _optional_int(token.get("completeListSize"))
        page.cursor = _optional_int(token.get("cursor"))
    return page


def read_oai_file(path: str | Path) -> OaiPage:
    """Read a saved response: raw XML, or a recorded exchange (JSON) whose `response` is the XML."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise OaiError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if data.lstrip()[:1] in (b"[", b"{"):
        try:
            exchanges = json.loads(data)
            exchanges = exchanges if isinstance(exchanges, list) else [exchanges]
            # A recording may hold a 503 before the answer; the last successful reply is the page.
            answer = [x for x in exchanges if int(x.get("status", 200)) < 300][-1]["response"]
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise OaiError(f"{path} is JSON but holds no recorded OAI-PMH response") from exc
        return parse_oai_response(answer)
    return parse_oai_response(data)


class OaiHarvester(PoliteSource):
    """Pages through ListRecords; callers save `page.resumption_token` to resume after a stop."""

    default_url = OAI_URL
    default_timeout = 60.0
    error = OaiError

    def list_records(
        self,
        *,
        metadata_prefix: str = "arXiv",
        set_spec: str | None = None,
        from_date: date | None = None,
        until: date | None = None,
        resumption_token: str | None = None,
    ) -> Iterator[OaiPage]:
        """Yield each page; pass a saved `resumption_token` to continue an interrupted harvest."""
        params: dict[str, str] = {"verb": "ListRecords"}
        if resumption_token:
            # OAI-PMH forbids any other argument alongside a resumption token.
            params["resumptionToken"] = resumption_token
        else:
            params["metadataPrefix"] = metadata_prefix
            optional = {"set": set_spec, "from": from_date, "until": until}
            params |= {k: str(v) for k, v in optional.items() if v is not None}  # dates: ISO
        while True:
            page = self._request(params)
            yield page
            token = page.resumption_token
            if not token:
                return
            if token == params.get("resumptionToken"):
                raise OaiError(f"{self.base_url} sent the same resumptionToken again: {token}")
            params = {"verb": "ListRecords", "resumptionToken": token}

    def _request(self, params: dict[str, str]) -> OaiPage:
        response = self.http.get(self.base_url, params=params)
        try:  # some repositories send their OAI-PMH error document with a 4xx status
            return parse_oai_response(response.content)
        except OaiError as exc:
            if exc.code is None and response.status_code >= 400:
                where = f"{response.request.url} answered HTTP {response.status_code}"
                raise OaiError(where) from exc
            raise


def _record(record: ET.Element, number: int) -> PaperRecord | RejectedRecord:
    identifier = _clean(record.findtext(f"{{{OAI}}}header/{{{OAI}}}identifier"))
    location = f"record {number} ({identifier})" if identifier else f"record {number}"
    metadata = record.find(f"{{{OAI}}}metadata")
    payload = metadata[0] if metadata is not None and len(metadata) else None
    if payload is None:
        return RejectedRecord(location=location, reason="the record has no metadata")
    reader = _READERS.get(payload.tag)
    if reader is None:
        return RejectedRecord(location=location, reason=f"unsupported metadata <{payload.tag}>")
    try:
        return reader(payload, identifier)
    except (InvalidArxivId, ValueError, TypeError) as exc:
        return RejectedRecord(location=location, reason=str(exc))


def _from_arxiv(meta: ET.Element, identifier: str | None) -> PaperRecord:
    record = _arxiv_common(meta, ARXIV)
    for author in meta.iterfind(f"{{{ARXIV}}}authors/{{{ARXIV}}}author"):
        parts = (_clean(author.findtext(f"{{{ARXIV}}}{part}")) for part in _ARXIV_NAME_PARTS)
        if name := " ".join(part for part in parts if part):
            record.authors.append(name)
    record.published = _day(_clean(meta.findtext(f"{{{ARXIV}}}created")))
    record.updated = _day(_clean(meta.findtext(f"{{{ARXIV}}}updated"))) or record.published
    return record


def _from_arxiv_raw(meta: ET.Element, identifier: str | None) -> PaperRecord:
    record = _arxiv_common(meta, ARXIV_RAW)
    record.authors = split_authors(_clean(meta.findtext(f"{{{ARXIV_RAW}}}authors")) or "")
    record.submitter = _clean(meta.findtext(f"{{{ARXIV_RAW}}}submitter"))
    versions = [_raw_version(element) for element in meta.iterfind(f"{{{ARXIV_RAW}}}version")]
    record.versions = sorted(versions, key=lambda version: version.number)
    if record.versions:
        record.version = record.versions[-1].number
        record.published = record.versions[0].created
        record.updated = record.versions[-1].created
    return record


def _arxiv_common(meta: ET.Element, namespace: str) -> PaperRecord:
    """The fields that arXiv and arXivRaw name alike."""

    def text(name: str) -> str | None:
        return _clean(meta.findtext(f"{{{namespace}}}{name}"))

    return PaperRecord(
        arxiv_id=normalize_arxiv_id(text("id") or ""),
        title=_required_title(text("title")),
        source="oai",
        abstract=text("abstract") or "",
        categories=list(dict.fromkeys((text("categories") or "").split())),  # primary first
        comments=text("comments"),
        journal_ref=text("journal-ref"),
        doi=text("doi"),
        report_no=text("report-no"),
        license=text("license"),
    )


def _from_oai_dc(meta: ET.Element, identifier: str | None) -> PaperRecord:
    def texts(name: str) -> list[str]:
        return [t for e in meta.iterfind(f"{{{DC}}}{name}") if (t := _clean(e.text))]

    descriptions, dates, identifiers = texts("description"), texts("date"), texts("identifier")
    comments = [
        d.removeprefix("Comment:").strip() for d in descriptions if d.startswith("Comment:")
    ]
    abstracts = [d for d in descriptions if not d.startswith("Comment:")]
    urls = [i for i in identifiers if i.lower().startswith(("http://", "https://"))]
    dois = [i.removeprefix("doi:") for i in identifiers if i.startswith("doi:")]
    # arXiv's Dublin Core puts the journal reference among the identifiers.
    others = [i for i in identifiers if i not in urls and not i.startswith("doi:")]
    titles = texts("title")
    return PaperRecord(
        arxiv_id=normalize_arxiv_id(urls[0] if urls else identifier or ""),
        title=_required_title(titles[0] if titles else None),
        source="oai",
        abstract=abstracts[0] if abstracts else "",
        authors=[_dc_name(creator) for creator in texts("creator")],
        published=_day(dates[0]) if dates else None,
        updated=_day(dates[-1]) if dates else None,
        comments=comments[0] if comments else None,
        journal_ref=others[0] if others else None,
        doi=dois[0] if dois else None,
    )


_READERS: dict[str, Callable[[ET.Element, str | None], PaperRecord]] = {
    f"{{{ARXIV}}}arXiv": _from_arxiv,
    f"{{{ARXIV_RAW}}}arXivRaw": _from_arxiv_raw,
    f"{{{OAI_DC}}}dc": _from_oai_dc,
}


def split_authors(text: str) -> list[str]:
    """Split arXiv's author string ("A, B and C", "A, B, and C") into names, in order."""
    masked = re.sub(r"\([^()]*\)", lambda m: "\0" * len(m.group()), text)
    names, last = [], 0
    for separator in _AUTHOR_SEPARATOR.finditer(masked):
        names.append(text[last : separator.start()])
        last = separator.end()
    names.append(text[last:])
    result: list[str] = []
    for name in (_clean(n) for n in names):
        if name and _NAME_SUFFIX.match(name) and result:
            result[-1] = f"{result[-1]} {name}"  # "John Smith, Jr." is one author
        elif name:
            result.append(name)
    return result


def _dc_name(creator: str) -> str:
    # Dublin Core writes "Last, First" (or "Last, Jr., First"); paperfeed stores "First Last".
    parts = [part.strip() for part in creator.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return creator


def _raw_version(element: ET.Element) -> Version:
    label = element.get("version", "").lower().removeprefix("v")
    if not label.isdigit():
        raise ValueError(f"version label {element.get('version')!r} is not like 'v2'")
    created = None
    if date_text := _clean(element.findtext(f"{{{ARXIV_RAW}}}date")):
        created = parsedate_to_datetime(date_text)
        # "-0000" parses to a naive datetime; arXiv's dates are in GMT either way.
        created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
    size = _clean(element.findtext(f"{{{ARXIV_RAW}}}size"))
    return Version(number=int(label), created=created, size=size)


def _header_id(header: ET.Element) -> str | None:
    try:
        return normalize_arxiv_id(header.findtext(f"{{{OAI}}}identifier") or "")
    except InvalidArxivId:
        return None


def _required_title(title: str | None) -> str:
    if not title:
        raise ValueError("the record has no title")
    return title


def _day(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.combine(date.fromisoformat(text[:10]), datetime.min.time(), tzinfo=UTC)


def _clean(text: str | None) -> str | None:
    """Collapse runs of whitespace (arXiv wraps long fields) and map empty text to None."""
    cleaned = _SPACES.sub(" ", text or "").strip()
    return cleaned or None


def _optional_int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None
