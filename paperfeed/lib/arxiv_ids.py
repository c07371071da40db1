"""Parse and normalise arXiv identifiers in every form people paste them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# New-style ids: YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015 on), optional version.
_NEW = r"(?P<new>(?P<yymm>\d{2}(?:0[1-9]|1[0-2]))\.(?P<num>\d{4,5}))"
# Old-style ids: archive[.SUBJECT-CLASS]/YYMMNNN; the subject class is not part of the canonical id.
_OLD = (
    r"(?P<old>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Za-z]{2})?/"
    r"(?P<oldnum>\d{2}(?:0[1-9]|1[0-2])\d{3}))"
)
_ID = rf"(?:{_NEW}|{_OLD})(?:v(?P<version>[1-9]\d*))?"

# What may stand before an id (the empty prefix last); api/constraints.py declares the same.
ID_PREFIXES = _PREFIXES = (
    r"(?:https?://)?(?:www\.|export\.|browse\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/",
    r"(?:https?://)?(?:www\.)?huggingface\.co/papers/",
    r"(?:https?://)?(?:www\.)?alphaxiv\.org/(?:abs|overview)/",
    r"(?:https?://)?(?:dx\.)?doi\.org/10\.48550/arxiv\.",
    r"10\.48550/arxiv\.",
    r"oai:arxiv\.org:",
    r"arxiv:",
    r"",
)
_PATTERN = re.compile(
    rf"^(?:{'|'.join(_PREFIXES)}){_ID}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)

EXAMPLES = "2401.12345, arXiv:2401.12345v2, hep-th/9901001 or https://arxiv.org/abs/2401.12345"


class InvalidArxivId(ValueError):
    """The text is not an arXiv identifier in any form paperfeed understands."""


@dataclass(frozen=True, slots=True)
class ArxivId:
    id: str  # canonical, without version
    version: int | None = None

    @property
    def versioned(self) -> str:
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse any common form of an arXiv id or URL; raise InvalidArxivId with a clear message."""
    cleaned = (text or "").strip()
    match = _PATTERN.match(cleaned)
    if not match or (match["new"] and not _valid_new_number(match["yymm"], match["num"])):
        shown = cleaned if len(cleaned) <= 80 else cleaned[:77] + "..."
        raise InvalidArxivId(f"'{shown}' is not an arXiv id; expected a form like {EXAMPLES}")
    canonical = match["new"] or f"{match['archive'].lower()}/{match['oldnum']}"
    version = int(match["version"]) if match["version"] else None
    return ArxivId(id=canonical, version=version)


def normalize_arxiv_id(text: str) -> str:
    """The canonical id (no version) for any accepted form; raises InvalidArxivId."""
    return parse_arxiv_id(text).id


def _valid_new_number(yymm: str, num: str) -> bool:
    # arXiv switched from 4- to 5-digit sequence numbers in January 2015.
    return (len(num) == 5) == (yymm >= "1501")
