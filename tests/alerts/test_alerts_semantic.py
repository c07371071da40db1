"""Alerts by meaning, with the real embedding model: a paper that says the same thing in other
words matches a specific query; an unrelated one does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model

from paperfeed.accounts.models import SavedSearch
from paperfeed.alerts.models import AlertMatch
from paperfeed.alerts.services import alert_set, alerts_check
from paperfeed.papers.ingest import paper_upsert
from paperfeed.search.embedding import embedder_load, paper_text
from paperfeed.search.indexing import text_hash, vectors_store
from tests.papers.factories import record

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_a_paper_in_other_words_matches_by_meaning() -> None:
    embedder = embedder_load(
        backend=settings.EMBEDDING_BACKEND, cache_dir=settings.SEARCH_MODELS_DIR
    )
    user = get_user_model().objects.create_user("ada", "ada@example.org", "pw-123456789")
    search = SavedSearch.objects.create(
        user=user, name="ddpm", query="denoising diffusion probabilistic models for image synthesis"
    )
    alert = alert_set(user=user, search_id=search.pk, now=T0)
    papers = [
        ("2611.00001", "Denoising diffusion probabilistic models for picture generation",
         "We generate high quality pictures with denoising diffusion probabilistic models."),
        ("2611.00002", "Graph neural networks for traffic forecasting",
         "We forecast road traffic with graph neural networks over sensor graphs."),
    ]  # fmt: skip
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        stored = [
            paper_upsert(record=record(pid, title=title, abstract=abstract))[0]
            for pid, title, abstract in papers
        ]
    texts = [paper_text(p.title, p.abstract) for p in stored]
    vectors_store(
        model=embedder.model_name, pids=[p.pk for p in stored],
        vectors=embedder.encode_documents(texts), hashes=[text_hash(t) for t in texts],
    )  # fmt: skip
    alerts_check(now=T0 + timedelta(hours=2), embedder=embedder)
    found = {m.paper.arxiv_id: m.how for m in AlertMatch.objects.filter(alert=alert)}
    # "image synthesis" is not in the first paper's words: it matches by meaning alone.
    assert found == {"2611.00001": AlertMatch.SEMANTIC}
