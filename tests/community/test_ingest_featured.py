from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from paperfeed.community.models import Featured
from paperfeed.papers.models import Paper
from tests.support.replay import ReplayServer, Reply

pytestmark = pytest.mark.django_db

HF_DAILY = "fixtures/hf-daily/daily_papers-2024-10-25.first4.json"


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_hf_daily_from_a_file_features_papers_with_submitter_and_upvotes(
    shared_data: Path,
) -> None:
    out = run("ingest_hf_daily", "--file", str(shared_data / HF_DAILY))
    assert "read 4 · new 4" in out and "featured 4" in out
    items = json.loads((shared_data / HF_DAILY).read_text())
    first = items[0]
    featured = Featured.objects.select_related("paper").get(paper__arxiv_id=first["paper"]["id"])
    assert featured.source_upvotes == first["paper"]["upvotes"]
    assert featured.source_comments == first["numComments"]
    assert featured.submitted_by == first["submittedBy"]["name"]
    assert featured.featured_on.isoformat() == first["publishedAt"][:10]
    assert featured.paper.title.startswith("Breaking the Memory Barrier")
    assert featured.paper.authors[0] == "Zesen Cheng"


def test_hf_daily_again_refreshes_upvotes_without_duplicating(
    shared_data: Path, tmp_path: Path
) -> None:
    run("ingest_hf_daily", "--file", str(shared_data / HF_DAILY))
    items = json.loads((shared_data / HF_DAILY).read_text())
    items[0]["paper"]["upvotes"] += 10
    later = tmp_path / "later.json"
    later.write_text(json.dumps(items))
    out = run("ingest_hf_daily", "--file", str(later))
    assert "new 0" in out and "featured 0" in out and "refreshed 1" in out
    assert Featured.objects.count() == 4
    assert (
        Featured.objects.get(paper__arxiv_id=items[0]["paper"]["id"]).source_upvotes
        == (items[0]["paper"]["upvotes"])
    )


def test_hf_daily_fetches_the_day_from_the_api(
    shared_data: Path, replay_server: ReplayServer, settings: Settings
) -> None:
    settings.HF_DAILY_PAPERS_URL = f"{replay_server.url}/api/daily_papers"
    replay_server.add("/api/daily_papers", {"date": "2024-10-25"},
                      Reply(200, (shared_data / HF_DAILY).read_bytes()))  # fmt: skip
    out = run("ingest_hf_daily", "--date", "2024-10-25")
    assert "featured 4" in out


def test_the_bundled_sample_loads_once() -> None:
    out = run("load_sample")
    assert "read 5,000 · new 5,000" in out
    assert "featured 753" in out
    assert Paper.objects.count() == 5000 + 753
    # Semantic search is ready at once: the vectors were imported and the query encoder loaded.
    from paperfeed.search.engine import engine

    assert engine().vectors.count == 5000 + 753
    assert engine()._embedder is not None  # loaded by load_sample, not by the first search
    assert "the sample is already loaded" in run("load_sample")


def test_an_interrupted_sample_load_is_resumed_but_user_data_is_left_alone() -> None:
    from paperfeed.papers.importing import state_set
    from paperfeed.papers.ingest import paper_upsert
    from tests.papers.factories import record

    paper_upsert(record=record())
    assert "already holds papers" in run("load_sample")
    assert Paper.objects.count() == 1
    state_set("sample", {"loaded": False})  # what a load stopped by Ctrl-C leaves behind
    assert "featured 753" in run("load_sample")
    assert Paper.objects.count() == 1 + 5000 + 753
