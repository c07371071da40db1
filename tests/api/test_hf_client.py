"""Hugging Face's own client, `huggingface_hub.HfApi`, reading a live paperfeed on loopback:
a script written for huggingface.co works by changing the endpoint alone."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from huggingface_hub import HfApi, constants
from huggingface_hub.errors import HfHubHTTPError

from paperfeed.search.indexing import keyword_sync
from tests.api.conftest import World, build_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def live_world(transactional_db: None) -> World:
    world = build_world(timezone.localdate())
    keyword_sync(rebuild=True)
    return world


@pytest.fixture
def hf(live_server: Any, live_world: World, monkeypatch: pytest.MonkeyPatch) -> HfApi:
    # A locally saved Hugging Face token is sent by habit; paperfeed's read endpoints ignore it.
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_paperfeed_token")
    # paperfeed's search module puts the Hub client offline (the embedding model never
    # downloads); this client only talks to the loopback server.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    return HfApi(endpoint=live_server.url)


def test_list_daily_papers_reads_the_latest_day(hf: HfApi, live_world: World) -> None:
    papers = list(hf.list_daily_papers())
    today = timezone.localdate()
    assert [p.id for p in papers] == ["2603.00002", "2603.00001"]  # by upvotes
    first = papers[0]
    stored = live_world.papers["2603.00002"]
    assert first.title == stored.title
    assert first.summary == stored.abstract
    assert [a.name for a in first.authors] == stored.authors
    assert first.published_at == stored.published.astimezone(UTC)
    assert first.submitted_at == datetime(today.year, today.month, today.day, tzinfo=UTC)
    assert first.upvotes == 12
    assert first.comments == 0 and papers[1].comments == 2
    assert first.submitted_by is not None and first.submitted_by.username == "alan"
    assert first.submitted_by.fullname == "alan"


def test_list_daily_papers_by_date_week_month_and_pages(hf: HfApi) -> None:
    today = timezone.localdate()
    two_days_ago = today - timedelta(days=2)
    assert [p.id for p in hf.list_daily_papers(date=two_days_ago.isoformat())] == ["2603.00003"]
    year, week, _ = today.isocalendar()
    this_week = [p.id for p in hf.list_daily_papers(week=f"{year}-W{week:02d}")]
    assert "2603.00002" in this_week
    month = [p.id for p in hf.list_daily_papers(month=f"{today:%Y-%m}", limit=100)]
    assert "2603.00001" in month
    pages = [[p.id for p in hf.list_daily_papers(p=n, limit=1)] for n in range(3)]
    assert pages == [["2603.00002"], ["2603.00001"], []]
    assert [p.id for p in hf.list_daily_papers(submitter="ada")] == ["2603.00001"]
    trending = [p.id for p in hf.list_daily_papers(sort="trending")]
    assert sorted(trending) == ["2603.00001", "2603.00002"]


def test_paper_info_reads_every_field(hf: HfApi, live_world: World) -> None:
    info = hf.paper_info("2603.00001")
    stored = live_world.papers["2603.00001"]
    assert info.id == "2603.00001"
    assert info.title == stored.title
    assert info.summary == stored.abstract
    assert [a.name for a in info.authors] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert info.published_at == stored.published.astimezone(UTC)
    assert info.upvotes == 7
    assert info.comments == 2
    assert info.submitted_at is not None and info.submitted_at.date() == timezone.localdate()
    assert info.submitted_by is not None and info.submitted_by.username == "ada"
    assert info.categories == ["cs.LG", "stat.ML"]  # paperfeed's own, kept as an attribute


def test_paper_info_for_an_old_style_id_and_a_versioned_id(hf: HfApi) -> None:
    assert hf.paper_info("hep-th/9901001").title == "Strings on branes"
    assert hf.paper_info("2603.00003v2").id == "2603.00003"
    never_featured = hf.paper_info("2603.00005")
    assert never_featured.submitted_at is None and never_featured.submitted_by is None


def test_paper_info_for_an_unknown_paper_raises_the_clients_404(hf: HfApi) -> None:
    with pytest.raises(HfHubHTTPError) as caught:
        hf.paper_info("2501.99999")
    assert caught.value.response.status_code == 404
    assert "not in this catalog" in str(caught.value)


def test_list_papers_searches(hf: HfApi) -> None:
    found = list(hf.list_papers(query="diffusion"))
    ids = [p.id for p in found]
    assert set(ids) == {"2603.00001", "2603.00005"}
    for paper in found:
        assert paper.title and paper.authors and paper.published_at is not None
    featured = next(p for p in found if p.id == "2603.00001")
    assert featured.upvotes == 7 and featured.comments == 2
    assert [p.id for p in hf.list_papers(query="diffusion", limit=1)] == ids[:1]
    assert list(hf.list_papers(query="zzzyzzx")) == []


def test_paper_info_and_lists_read_code_stars_project_page_and_key_phrases(
    hf: HfApi, live_world: World
) -> None:
    from paperfeed.links.models import Repository
    from paperfeed.links.services import links_store
    from paperfeed.search.models import PaperSummary

    paper = live_world.papers["2603.00001"]
    paper.comments = (
        "Code: https://github.com/ada/sparse-diffusion. Project: https://ada.github.io/sd/"
    )
    paper.save(update_fields=["comments"])
    links_store(paper_ids=[paper.pk])
    Repository.objects.filter(key="ada/sparse-diffusion").update(state=Repository.OK, stars=1234)
    PaperSummary.objects.create(
        paper=paper, keywords=["sparse diffusion", "protein design"],
        summary=paper.abstract, text_hash="x",
    )  # fmt: skip

    info = hf.paper_info("2603.00001")
    assert info.github_repo == "https://github.com/ada/sparse-diffusion"
    assert info.github_stars == 1234
    assert info.project_page == "https://ada.github.io/sd"
    assert info.ai_keywords == ["sparse diffusion", "protein design"]
    assert info.ai_summary == paper.abstract
    daily = {p.id: p for p in hf.list_daily_papers()}
    assert daily["2603.00001"].github_repo == "https://github.com/ada/sparse-diffusion"
    assert daily["2603.00001"].github_stars == 1234
    assert daily["2603.00002"].github_repo is None and daily["2603.00002"].ai_keywords is None
    found = {p.id: p for p in hf.list_papers(query="diffusion")}
    assert found["2603.00001"].project_page == "https://ada.github.io/sd"
