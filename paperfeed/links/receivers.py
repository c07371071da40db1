"""The links of a paper are found as it is stored, and again whenever its text changes."""

from __future__ import annotations

from typing import Any

from paperfeed.lib.links import Link
from paperfeed.links.services import links_add, links_store
from paperfeed.papers.signals import papers_stored

TEXT_FIELDS = frozenset({"abstract", "comments", "journal_ref"})


def connect() -> None:
    papers_stored.connect(_stored, dispatch_uid="paperfeed.links")


def _stored(
    *,
    created: list[int],
    changed: dict[int, set[str]],
    links: dict[int, list[Link]] | None = None,
    **_: Any,
) -> None:
    found = links or {}
    fresh = {pk: found[pk] for pk in created if pk in found}
    again = [pk for pk in created if pk not in found]
    again += [pk for pk, fields in changed.items() if fields & TEXT_FIELDS]
    if fresh:  # new papers, links found as they were prepared: nothing to read or replace
        links_add(found=fresh)
    if again:
        links_store(paper_ids=again)
