"""Queued recommendation work, run by `paperfeed worker` (django-tasks)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task

from paperfeed.accounts.models import LibraryEntry
from paperfeed.lib.arxiv_api import ArxivApiClient
from paperfeed.lib.records import SourceError
from paperfeed.papers.ingest import papers_upsert_batch
from paperfeed.recommend.signals import reader_model_expire


@task()
def library_fetch_missing(*, user_id: int, arxiv_ids: list[str]) -> str:
    """The papers of a reader's import that the catalog lacked: fetched, stored, added. arXiv out
    of reach fails the task (its error is kept in the queue's table)."""
    added, problem = library_fetch(user_id=user_id, arxiv_ids=arxiv_ids)
    if problem:
        raise SourceError(problem)
    return f"{added} of {len(arxiv_ids)} papers added"


def library_fetch(*, user_id: int, arxiv_ids: list[str]) -> tuple[int, str | None]:
    """Fetch papers the catalog lacks from the arXiv API, store them and add them to the
    reader's library (their vectors come with the next index run, and the reader's model picks
    them up then); returns how many were added and the problem, if arXiv could not be reached."""
    client = ArxivApiClient(base_url=settings.ARXIV_API_URL, delay=settings.ARXIV_API_DELAY)
    wanted = set(arxiv_ids)
    try:
        records = [r for r in client.fetch_ids(arxiv_ids) if r.arxiv_id in wanted]
    except SourceError as exc:
        return 0, f"arXiv could not be reached to fetch the papers not stored here ({exc})"
    if not records:
        return 0, None
    ids = papers_upsert_batch(records=records).ids
    with transaction.atomic():
        LibraryEntry.objects.bulk_create(
            [LibraryEntry(user_id=user_id, paper_id=pid) for pid in ids.values()],
            ignore_conflicts=True,
        )
    reader_model_expire(user_id=user_id)
    return len(ids), None
