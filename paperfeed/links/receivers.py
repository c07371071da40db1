"""The links of a paper are found as it is stored, and again whenever its text changes."""

from __future__ import annotations

from typing import Any

from paperfeed.links.services import links_store
from paperfeed.papers.signals import papers_stored

TEXT_FIELDS = frozenset({"abstract", "comments", "journal_ref"})


def connect() -> None:
    papers_stored.connect(_stored, dispatch_uid="paperfeed.links")


def _stored(*, created: list[int], changed: dict[int, set[str]], **_: Any) -> None:
    ids = created + [pk for pk, fields in changed.items() if fields & TEXT_FIELDS]
    if ids:
        links_store(paper_ids=ids)
