"""arXiv ids from what a reader pastes or uploads: a BibTeX file, or a list of ids and URLs.

No Django here: the services decide what to do with the ids found.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from paperfeed.lib.arxiv_ids import InvalidArxivId, normalize_arxiv_id

MAX_BYTES = 2_000_000
# Fields that hold nothing but an id.
ID_FIELDS = ("eprint", "arxiv", "arxivid", "arxiv_id")
# Fields where an id may sit inside other text, recognised only by an arXiv marker, so that a
# journal DOI with a year in it (10.1016/j.x.2012.12345) is never read as an id.
TEXT_FIELDS = ("url", "doi", "note", "howpublished", "journal", "publisher", "eprinturl")
_MARKED = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.|arxiv:\s*)"
    r"([a-z-]+(?:\.[a-z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\s,;]+")


@dataclass
class Found:
    ids: list[str] = field(default_factory=list)  # canonical, each once, in file order
    problems: list[str] = field(default_factory=list)  # one line per entry that gave no id


def ids_from_bibtex(text: str) -> Found:
    """The arXiv ids of the entries of a BibTeX file. Entries that cannot be parsed, and entries
    without an arXiv id, are reported in `problems` (with their line); the rest are kept."""
    import bibtexparser

    found = Found()
    problems: list[tuple[int, str]] = []
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # failures are reported below
    library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    for block in library.failed_blocks:
        first = (block.raw or "").strip().splitlines()[0][:60] if (block.raw or "").strip() else ""
        kind = type(block).__name__
        why = "a second entry with the same key" if "Duplicate" in kind else "cannot be read"
        line = block.start_line or 0
        problems.append((line, f"line {line + 1}: {why} ({first})"))
    for entry in library.entries:
        arxiv_id = _entry_id({k.lower(): str(v.value) for k, v in entry.fields_dict.items()})
        if arxiv_id is None:
            line = entry.start_line or 0
            problems.append((line, f"line {line + 1}: {entry.key} has no arXiv id"))
        elif arxiv_id not in found.ids:
            found.ids.append(arxiv_id)
    found.problems = [message for _, message in sorted(problems)]
    return found


def _entry_id(fields: dict[str, str]) -> str | None:
    for name in ID_FIELDS:
        value = fields.get(name)
        if value:
            try:
                return normalize_arxiv_id(str(value).strip("{} "))
            except InvalidArxivId:
                pass
    for name in TEXT_FIELDS:
        value = fields.get(name)
        match = _MARKED.search(value) if value else None
        if match:
            try:
                return normalize_arxiv_id(match.group(1))
            except InvalidArxivId:
                pass
    return None


def ids_from_text(text: str) -> Found:
    """The arXiv ids in a pasted list: ids or URLs separated by spaces, commas or new lines.
    Anything else is reported."""
    found = Found()
    for token in _TOKEN.findall(text):
        try:
            arxiv_id = normalize_arxiv_id(token)
        except InvalidArxivId:
            shown = token if len(token) <= 60 else token[:57] + "..."
            found.problems.append(f"“{shown}” is not an arXiv id or URL")
            continue
        if arxiv_id not in found.ids:
            found.ids.append(arxiv_id)
    return found
