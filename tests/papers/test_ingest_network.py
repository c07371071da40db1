"""The network import commands against recorded real responses replayed on loopback."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from paperfeed.lib.arxiv_api import parse_atom_feed
from paperfeed.papers.models import IngestState, Paper
from tests.support import fixture_path, recorded_atom
from tests.support.replay import ReplayServer, Reply

pytestmark = pytest.mark.django_db


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def arxiv(replay_server: ReplayServer, settings: Settings) -> ReplayServer:
    settings.ARXIV_API_URL = f"{replay_server.url}/api/query"
    settings.ARXIV_API_DELAY = 0
    settings.ARXIV_OAI_URL = f"{replay_server.url}/oai"
    return replay_server


def atom_body(name: str) -> str:
    return str(recorded_atom(name)["body"])


def test_ingest_paper_fetches_an_old_style_id_and_is_idempotent(arxiv: ReplayServer) -> None:
    body = atom_body("id_astro-ph_0601001_s0_m100_3150dca9dc76")
    arxiv.add("/api/query", None, Reply(200, body), Reply(200, body))
    out = run("ingest_paper", "https://arxiv.org/abs/astro-ph/0601001")
    assert out.startswith("new: astro-ph/0601001v")
    assert arxiv.requests[0].query["id_list"] == "astro-ph/0601001"
    assert run("ingest_paper", "astro-ph/0601001").startswith("unchanged: astro-ph/0601001")
    assert Paper.objects.get(arxiv_id="astro-ph/0601001").source == "arxiv-api"


def test_ingest_paper_reports_an_unknown_id_and_a_malformed_one(arxiv: ReplayServer) -> None:
    arxiv.add("/api/query", None, Reply(200, atom_body("id_0000.0000_s0_m100_8b51d9633a68")))
    with pytest.raises(CommandError, match="arXiv has no paper 2401.99999"):
        run("ingest_paper", "2401.99999")
    with pytest.raises(CommandError, match="is not an arXiv id"):
        run("ingest_paper", "abc")
    assert len(arxiv.requests) == 1  # a malformed id never reaches arXiv


def test_ingest_arxiv_pages_until_papers_already_stored(arxiv: ReplayServer) -> None:
    pages = {start: atom_body(f"q_testing_s{start}_m10_{h}") for start, h in (
        (0, "bc5a6c384fe9"), (10, "34e56e15aaac"), (20, "348a237fecab"),
    )}  # fmt: skip
    for start, body in pages.items():
        arxiv.add("/api/query", {"search_query": "cat:cs.LG", "sortBy": "submittedDate",
                                 "sortOrder": "descending", "start": start, "max_results": 10},
                  Reply(200, body))  # fmt: skip
    out = run("ingest_arxiv", "--category", "cs.LG", "--page-size", "10", "--max", "30")
    first_run = Paper.objects.count()
    assert re.search(r"read 30 · new \d+", out)
    assert first_run >= 28  # the recorded pages may repeat a paper across pages
    assert [r.query["start"] for r in arxiv.requests] == ["0", "10", "20"]
    assert IngestState.objects.count() == 0
    # A second run meets stored papers on its first page and stops there.
    arxiv.add("/api/query", None, Reply(200, pages[0]))
    out = run("ingest_arxiv", "--category", "cs.LG", "--page-size", "10", "--max", "30")
    assert "reached papers already stored" in out
    assert len(arxiv.requests) == 4
    assert Paper.objects.count() == first_run


def test_ingest_arxiv_resumes_at_the_date_it_reached_after_a_failure(
    arxiv: ReplayServer,
) -> None:
    first_page = atom_body("q_testing_s0_m10_bc5a6c384fe9")
    arxiv.add("/api/query", {"search_query": "cat:cs.LG", "sortBy": "submittedDate",
                             "sortOrder": "descending", "start": 0, "max_results": 10},
              Reply(200, first_page))  # fmt: skip
    arxiv.add("/api/query", None, Reply(400, atom_body("id_abc_s0_m100_b79c8dcf6bc3")))
    with pytest.raises(CommandError):
        run("ingest_arxiv", "--category", "cs.LG", "--page-size", "10")
    assert Paper.objects.count() == 10  # the first page is kept
    oldest = min(Paper.objects.values_list("published", flat=True))
    assert IngestState.objects.get().value == {"until": oldest.isoformat()}
    # Papers listed meanwhile would shift an offset; a date does not move.
    arxiv.add("/api/query", None, Reply(200, atom_body("q_testing_s10_m10_34e56e15aaac")))
    out = run("ingest_arxiv", "--category", "cs.LG", "--page-size", "10", "--max", "10")
    assert f"resuming the listing of cs.LG at papers of {oldest:%Y-%m-%d %H:%M}" in out
    resumed = arxiv.requests[-1].query
    assert resumed["start"] == "0"
    assert resumed["search_query"] == (
        f"(cat:cs.LG) AND submittedDate:[199101010000 TO {oldest:%Y%m%d%H%M}]"
    )


def test_ingest_arxiv_since_on_the_update_listing_goes_by_update_date(
    arxiv: ReplayServer,
) -> None:
    body = atom_body("q_testing_s0_m10_bc5a6c384fe9")
    records = parse_atom_feed(body).records
    # A paper first published long before it was revised: --since must go by the revision.
    revised = next(r for r in records if r.updated.date() > r.published.date())
    since = revised.updated.date()
    kept = [r for r in records if r.updated.date() >= since]
    assert any(r.published.date() < since for r in kept)
    arxiv.add("/api/query", None, Reply(200, body))
    run("ingest_arxiv", "--category", "cs.LG", "--sort", "updated", "--since", since.isoformat(),
        "--page-size", "10", "--max", "10")  # fmt: skip
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == {r.arxiv_id for r in kept}


def test_ingest_arxiv_imports_a_saved_response_file(tmp_path: Path) -> None:
    saved = tmp_path / "page.xml"
    saved.write_text(atom_body("q_testing_s0_m10_bc5a6c384fe9"))
    out = run("ingest_arxiv", "--file", str(saved))
    assert "read 10 · new 10" in out


OAI_LIST = fixture_path("oai-pmh/arxivraw/ListRecordsResponse.xml").read_text()


def test_a_killed_oai_harvest_resumes_from_its_saved_token(arxiv: ReplayServer) -> None:
    token = re.search(r"<resumptionToken[^>]*>([^<]+)<", OAI_LIST).group(1)  # type: ignore[union-attr]
    arxiv.add("/oai", {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs"},
              Reply(200, OAI_LIST))  # fmt: skip
    arxiv.add("/oai", None, Reply(404, "gone"))  # the harvest dies on the second page
    with pytest.raises(CommandError):
        run("ingest_oai", "--set", "cs", "--format", "arXivRaw")
    stored = Paper.objects.count()
    assert stored > 0
    assert IngestState.objects.get().value == {"token": token}
    last_page = re.sub(r"<resumptionToken[^>]*>[^<]+</resumptionToken>", "", OAI_LIST)
    arxiv.add("/oai", {"verb": "ListRecords", "resumptionToken": token}, Reply(200, last_page))
    out = run("ingest_oai", "--set", "cs", "--format", "arXivRaw")
    assert "resuming the interrupted harvest" in out
    assert f"unchanged {stored}" in out  # the replayed page holds the same records
    assert IngestState.objects.count() == 0
    assert arxiv.requests[-1].query == {"verb": "ListRecords", "resumptionToken": token}


def test_an_expired_token_restarts_the_harvest(arxiv: ReplayServer) -> None:
    IngestState.objects.create(key="oai:arXivRaw:cs::", value={"token": "expired"})
    bad = fixture_path("oai-pmh/arxivraw/ErrorResponseBadResumptionToken.xml").read_text()
    arxiv.add("/oai", {"verb": "ListRecords", "resumptionToken": "expired"}, Reply(200, bad))
    last_page = re.sub(r"<resumptionToken[^>]*>[^<]+</resumptionToken>", "", OAI_LIST)
    arxiv.add("/oai", {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "cs"},
              Reply(200, last_page))  # fmt: skip
    out = run("ingest_oai", "--set", "cs", "--format", "arXivRaw")
    assert "token has expired; harvesting from the start" in out
    assert Paper.objects.count() > 0


def test_no_records_match_is_an_empty_harvest_not_an_error(arxiv: ReplayServer) -> None:
    empty = fixture_path("oai-pmh/arxivraw/ErrorResponseNoRecordsMatch.xml").read_text()
    arxiv.add("/oai", None, Reply(200, empty))
    out = run("ingest_oai", "--set", "cs", "--from", "2030-01-01")
    assert "read 0" in out
