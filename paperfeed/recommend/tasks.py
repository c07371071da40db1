"""Queued recommendation work, run by `paperfeed worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from paperfeed.lib.records import SourceError
from paperfeed.recommend.importing import library_fetch


@task()
def library_fetch_missing(*, user_id: int, arxiv_ids: list[str]) -> str:
    """The papers of a reader's import that the catalog lacked: fetched, stored, added. arXiv out
    of reach fails the task (its error is kept in the queue's table)."""
    added, problem = library_fetch(user_id=user_id, arxiv_ids=arxiv_ids)
    if problem:
        raise SourceError(problem)
    return f"{added} of {len(arxiv_ids)} papers added"
