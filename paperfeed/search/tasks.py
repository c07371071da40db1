"""Queued search work, run by `paperfeed worker` (django-tasks)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from paperfeed.search.engine import embedder_shared
from paperfeed.search.indexing import model_key, papers_embed


@task()
def paper_embed(*, paper_ids: list[int]) -> int:
    """Embed papers just added by a reader (a submission), so that the next index run, within a
    minute, makes them findable by meaning too; the keyword index needs no vector."""
    embedder = embedder_shared(model_key(settings.EMBEDDING_MODEL), settings.EMBEDDING_BACKEND)
    return papers_embed(embedder=embedder, pids=paper_ids)
