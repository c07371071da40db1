"""PostgreSQL stopped while `paperfeed serve` is under load: while it is down, requests get a 503
with Retry-After (problem details under /api/, a plain page elsewhere), never a 500 or a
traceback; once it is back, every request succeeds within 5 seconds, without a restart."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.db import OperationalError
from django.test import RequestFactory

from paperfeed.ops.views import server_error
from tests.ops.pgcluster import Cluster
from tests.ops.site import Site
from tests.support import SHARED_DATA

PATHS = ["/", "/papers/0704.0001", "/api/papers/0704.0001", "/search?q=diphoton+production",
         "/api/daily_papers"]  # fmt: skip


def test_a_database_error_is_a_503_with_retry_after_not_a_500() -> None:
    for path, kind in (("/api/daily_papers", "application/problem+json"), ("/", "text/html")):
        try:
            raise OperationalError("connection to server at 127.0.0.1 failed: refused")
        except OperationalError:
            response = server_error(RequestFactory().get(path))
        assert response.status_code == 503 and response["Retry-After"] == "5"
        assert response["Content-Type"].startswith(kind)
        assert b"Traceback" not in response.content and b"refused" not in response.content


@dataclass
class Seen:
    at: float
    path: str
    status: int
    retry_after: str | None
    content_type: str
    body: str


@pytest.mark.slow
def test_postgres_stopped_under_load_gives_503s_then_recovers_without_a_restart(
    cluster: Cluster, tmp_path: Path
) -> None:
    site = Site(tmp_path / "home", DATABASE_URL=cluster.url)
    site.run("ingest", "snapshot", str(SHARED_DATA / "arxiv" / "kaggle-snapshot-head-200.jsonl"))
    site.run("index", "--no-embed")
    server, base = site.serve(tmp_path / "serve.log")
    seen: list[Seen] = []
    stop = threading.Event()

    def load(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            n = offset
            while not stop.is_set():
                path = PATHS[n % len(PATHS)]
                n += 1
                try:
                    r = client.get(path)
                except httpx.TransportError:
                    continue
                kind = r.headers.get("content-type", "")
                retry = r.headers.get("retry-after")
                seen.append(Seen(time.monotonic(), path, r.status_code, retry, kind, r.text[:2000]))

    try:
        threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        down = time.monotonic()
        cluster.stop()
        time.sleep(4)
        cluster.start()
        up = time.monotonic()
        time.sleep(8)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    assert [s for s in seen if s.status >= 500 and s.status != 503] == []
    during = [s for s in seen if down + 0.5 < s.at < up]
    unavailable = [s for s in during if s.status == 503]
    assert unavailable, "the outage was never felt"
    assert {s.status for s in during} <= {200, 503}
    for s in unavailable:
        assert s.retry_after == "5" and "Traceback" not in s.body
        expected = "application/problem+json" if s.path.startswith("/api/") else "text/html"
        assert s.content_type.startswith(expected), (s.path, s.content_type)
    after = [s for s in seen if s.at > up + 5]
    assert after and {s.status for s in after} == {200}, {s.status for s in after}
    assert len([s for s in seen if s.at < down and s.status == 200]) > 10
