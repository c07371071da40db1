from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from paperfeed.community.models import Featured
from paperfeed.papers.ingest import paper_upsert
from tests.papers.factories import record

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_the_latest_papers_and_featured_ones(client: Client) -> None:
    older, _ = paper_upsert(record=record("2401.00001", title="Older paper"))
    newer, _ = paper_upsert(record=record("2401.00002", title="Newer paper", day=5,
                                          published=record(day=5).updated))  # fmt: skip
    Featured.objects.create(paper=older, featured_on=date(2024, 1, 2), source="hf-featured",
                            source_upvotes=42)  # fmt: skip
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Most upvoted featured papers" in html
    assert "▲ 42" in html
    latest = html.split("Latest papers")[1]
    assert latest.index("Newer paper") < latest.index("Older paper")


def test_the_paper_page_shows_the_paper_and_redirects_other_id_forms(client: Client) -> None:
    paper_upsert(record=record("hep-th/9901001", title=r"On Gr\"obner bases", version=2))
    page = client.get("/papers/hep-th/9901001")
    assert page.status_code == 200
    assert "On Gröbner bases" in page.content.decode()
    assert "arXiv:hep-th/9901001v2" in page.content.decode()
    moved = client.get("/papers/hep-th/9901001v2")
    assert moved.status_code == 302 and moved["Location"] == "/papers/hep-th/9901001"
    assert client.get("/papers/2401.99999").status_code == 404
    assert client.get("/papers/garbage").status_code == 404
