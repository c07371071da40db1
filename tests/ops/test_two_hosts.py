"""Two hosts, each with its own PAPERFEED_HOME (and so its own search index), on one PostgreSQL:
a paper that arrives through one is found by search on the other once that host's worker has
run, and the running server picks the new index up without a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.ops.pgcluster import Cluster
from tests.ops.site import Site
from tests.support import SHARED_DATA, recorded_atom
from tests.support.replay import ReplayServer, Reply

HEAT_BATH = "id_1605.08386_s0_m100_199195aa31ad"  # arXiv's answer for 1605.08386


def search(base: str, query: str) -> list[str]:
    answer = httpx.get(f"{base}/api/papers/search", params={"q": query}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [item["paper"]["id"] for item in answer.json()]


@pytest.mark.slow
def test_a_paper_added_on_one_host_is_found_on_the_other_after_its_worker_ran(
    cluster: Cluster, tmp_path: Path, replay_server: ReplayServer
) -> None:
    shared = {"DATABASE_URL": cluster.url,
              "PAPERFEED_ARXIV_API_URL": f"{replay_server.url}/api/query"}  # fmt: skip
    first = Site(tmp_path / "host-a", **shared)
    second = Site(tmp_path / "host-b", **shared)  # migrate again: a no-op
    first.run("ingest", "snapshot", str(SHARED_DATA / "arxiv" / "kaggle-snapshot-head-200.jsonl"))
    index_jobs = ["worker", "--once", "--job", "embed", "--job", "index"]
    second.run(*index_jobs, timeout=300)  # host b builds its own index from the database
    server, base = second.serve(tmp_path / "serve.log", workers=1, ready="/readyz")
    try:
        assert "0704.0001" in search(base, "diphoton production")
        assert "1605.08386" not in search(base, "heat-bath random walks Markov bases")
        replay_server.add("/api/query", None, Reply(200, str(recorded_atom(HEAT_BATH)["body"])))
        first.run("ingest", "paper", "1605.08386")  # arrives through host a
        assert "1605.08386" not in search(base, "heat-bath random walks Markov bases")
        # Host b's worker, at its next slot (a minute later: each slot runs once).
        later = datetime.now(UTC) + timedelta(seconds=61)
        second.run(*index_jobs, timeout=300, PAPERFEED_NOW=later.isoformat())
        assert "1605.08386" in search(base, "heat-bath random walks Markov bases")
        vectors = second.shell(
            "from paperfeed.search.models import PaperVector; print(PaperVector.objects.count())"
        )
        assert int(vectors.strip()) == 201  # embedded once, for both hosts
    finally:
        server.terminate()
        server.wait(timeout=30)
        first.close()
        second.close()
