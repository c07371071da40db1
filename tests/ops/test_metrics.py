"""/metrics: who may read it, what the processes record, what is read from the database, and
the figures of several server processes added up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from django.db import OperationalError
from django.test import Client
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from paperfeed.digests.models import Delivery, Edition, Subscription
from paperfeed.env import SettingError
from paperfeed.lib.allowlist import allowlist_parse
from paperfeed.ops import gunicorn_conf
from paperfeed.ops.management.commands.serve import metrics_prepare
from paperfeed.ops.models import JobRun
from paperfeed.papers.importing import Importer
from paperfeed.papers.ingest import papers_upsert_batch
from paperfeed.search.indexing import keyword_sync
from tests.papers.factories import record
from tests.web.test_serve import free_port, server_wait

REQUESTS = "paperfeed_http_request_duration_seconds_count"
T0 = datetime(2026, 3, 15, 7, tzinfo=UTC)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, frozenset(labels.items())))


def recorded(name: str, **labels: str) -> float:
    """This process's own figure (the default registry), 0 when never recorded."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: Client, **headers: Any) -> str:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


# Who may read them ---------------------------------------------------------------------------
def test_metrics_are_open_to_loopback_by_default(client: Client, db: None) -> None:
    response = client.get("/metrics", REMOTE_ADDR="::1")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert scrape(client, REMOTE_ADDR="127.0.0.1")


def test_metrics_are_closed_to_an_address_not_allowed(client: Client, settings: Any) -> None:
    settings.METRICS_ALLOW = allowlist_parse(["127.0.0.1", "10.0.0.0/8"])
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "PAPERFEED_METRICS_ALLOW" in response.content.decode()


def test_an_allowed_network_opens_metrics(client: Client, settings: Any, db: None) -> None:
    settings.METRICS_ALLOW = allowlist_parse(["10.0.0.0/8"])
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_a_bearer_token_opens_metrics_from_anywhere(
    client: Client, settings: Any, db: None
) -> None:
    settings.METRICS_ALLOW = allowlist_parse(["127.0.0.1", "token:s3cret-Token"])
    away = {"REMOTE_ADDR": "203.0.113.9"}
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-Token", **away).status_code == 200
    )
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret", **away).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-Token", **away).status_code == 403


def test_the_callers_address_is_read_through_trusted_proxies_only(
    client: Client, settings: Any, db: None
) -> None:
    settings.METRICS_ALLOW = allowlist_parse(["10.0.0.0/8"])
    via_proxy = {"REMOTE_ADDR": "192.0.2.1"}
    settings.PAPERFEED_TRUSTED_PROXIES = 1
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3", **via_proxy).status_code == 200
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3, 198.51.100.7",
                      **via_proxy).status_code == 403  # fmt: skip
    settings.PAPERFEED_TRUSTED_PROXIES = 0  # no proxy of ours: the header is the client's say
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3", **via_proxy).status_code == 403


def test_a_bad_allow_entry_stops_the_settings_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from paperfeed.settings import _metrics_allow

    monkeypatch.setenv("PAPERFEED_METRICS_ALLOW", "127.0.0.1, prometheus.local")
    with pytest.raises(SettingError, match="PAPERFEED_METRICS_ALLOW.*'prometheus.local'"):
        _metrics_allow("PAPERFEED_METRICS_ALLOW")
    monkeypatch.setenv("PAPERFEED_METRICS_ALLOW", "token:")
    with pytest.raises(SettingError, match="PAPERFEED_METRICS_ALLOW"):
        _metrics_allow("PAPERFEED_METRICS_ALLOW")
    monkeypatch.setenv("PAPERFEED_METRICS_ALLOW", "::1, 10.0.0.0/8, token:abc")
    allowed = _metrics_allow("PAPERFEED_METRICS_ALLOW")
    assert allowed.allows(address="10.9.9.9") and allowed.allows(address="::1")


# What the processes record -------------------------------------------------------------------
def test_the_request_histogram_names_the_view(client: Client, db: None) -> None:
    before = {
        "healthz": recorded(REQUESTS, view="healthz", method="GET", status="2xx"),
        "paper": recorded(REQUESTS, view="paper", method="GET", status="4xx"),
        "unmatched": recorded(REQUESTS, view="unmatched", method="GET", status="4xx"),
    }
    assert client.get("/healthz").status_code == 200
    assert client.get("/papers/2401.99999").status_code == 404  # not stored
    assert client.get("/no/such/page").status_code == 404
    text = scrape(client)
    assert value(text, REQUESTS, view="healthz", method="GET", status="2xx") == (
        before["healthz"] + 1
    )
    assert value(text, REQUESTS, view="paper", method="GET", status="4xx") == before["paper"] + 1
    assert value(text, REQUESTS, view="unmatched", method="GET", status="4xx") == (
        before["unmatched"] + 1
    )
    # Labelled by the route's name, never by the path with its ids.
    assert "2401.99999" not in text


def test_search_latency_is_recorded_by_mode(client: Client, db: None) -> None:
    papers_upsert_batch(records=[record("2401.00001"), record("2401.00002")])
    keyword_sync()
    name = "paperfeed_search_duration_seconds_count"
    keyword, semantic = recorded(name, mode="keyword"), recorded(name, mode="semantic")
    assert client.get("/search", {"q": "study", "mode": "keyword"}).status_code == 200
    # The API's search goes through the same selector (semantic: no vectors yet, answered anyway).
    assert client.get("/api/papers/search", {"q": "study", "mode": "semantic"}).status_code == 200
    text = scrape(client)
    assert value(text, name, mode="keyword") == keyword + 1
    assert value(text, name, mode="semantic") == semantic + 1


def test_papers_ingested_counts_new_and_updated_papers(db: None) -> None:
    name = "paperfeed_papers_ingested_total"
    start = recorded(name)
    Importer().run([record("2401.00001"), record("2401.00002")])
    assert recorded(name) == start + 2
    Importer().run([record("2401.00001", version=2), record("2401.00002")])  # one unchanged
    assert recorded(name) == start + 3


# What is read from the database --------------------------------------------------------------
def test_digest_and_job_figures_are_read_from_the_database(client: Client, db: None) -> None:
    edition = Edition.objects.create(frequency="daily", period_start=date(2026, 3, 14),
                                     period_end=date(2026, 3, 15), slug="2026-03-14")  # fmt: skip
    for n, state in enumerate(["sent", "sent", "sent", "failed", "pending"]):
        subscription = Subscription.objects.create(email=f"reader{n}@example.org")
        Delivery.objects.create(edition=edition, subscription=subscription, state=state)

    def run(job: str, hours: int, state: str, duration: float, scope: str = "") -> None:
        due = T0 + timedelta(hours=hours)
        finished = due + timedelta(seconds=duration)
        JobRun.objects.create(job=job, scope=scope, due_at=due, state=state, duration=duration,
                              started_at=due, finished_at=finished)  # fmt: skip

    run("harvest", 0, JobRun.DONE, 40.0)
    run("harvest", 24, JobRun.DONE, 55.5)
    run("harvest", 48, JobRun.FAILED, 3.0)
    run("index", 0, JobRun.DONE, 2.0, scope="host-a")
    run("index", 1, JobRun.DONE, 1.5, scope="host-b")

    text = scrape(client)
    assert value(text, "paperfeed_database_up") == 1
    assert value(text, "paperfeed_digest_deliveries", state="sent") == 3
    assert value(text, "paperfeed_digest_deliveries", state="failed") == 1
    assert value(text, "paperfeed_digest_deliveries", state="pending") == 1
    assert value(text, "paperfeed_digest_deliveries", state="claimed") == 0
    assert value(text, "paperfeed_job_runs", job="harvest", state="done") == 2
    assert value(text, "paperfeed_job_runs", job="harvest", state="failed") == 1
    assert value(text, "paperfeed_job_runs", job="index", state="done") == 2
    # The latest run failed: its duration is the last one; the last success is the day before.
    assert value(text, "paperfeed_job_last_duration_seconds", job="harvest", scope="") == 3.0
    success = T0 + timedelta(hours=24, seconds=55.5)
    assert value(text, "paperfeed_job_last_success_timestamp_seconds", job="harvest",
                 scope="") == success.timestamp()  # fmt: skip
    assert value(text, "paperfeed_job_last_duration_seconds", job="index", scope="host-b") == 1.5


def test_metrics_say_when_the_database_cannot_be_read(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down() -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr("paperfeed.ops.metrics._deliveries", down)
    text = scrape(client)
    assert value(text, "paperfeed_database_up") == 0
    assert "paperfeed_digest_deliveries" not in text
    assert "paperfeed_http_request_duration_seconds" in text  # the rest still answers


def test_metrics_speak_openmetrics_when_asked(client: Client, db: None) -> None:
    response = client.get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert response.content.decode().endswith("# EOF\n")


# Several processes ---------------------------------------------------------------------------
def test_serve_removes_the_metric_files_of_exited_processes(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.HOME = tmp_path
    # Set, then removed: monkeypatch records the variable as it was before this test, and puts
    # it back so afterwards (a delenv of an absent variable records nothing, and the value
    # metrics_prepare sets would then leak into every later test and its subprocesses).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "unset")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    folder = tmp_path / "metrics"
    folder.mkdir()
    exited = _exited_pid()
    (folder / f"counter_{exited}.db").write_bytes(b"old")
    (folder / f"gauge_livesum_{exited}.db").write_bytes(b"old")
    (folder / f"histogram_{os.getpid()}.db").write_bytes(b"live")  # a process still running
    metrics_prepare()
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(folder)
    assert sorted(p.name for p in folder.iterdir()) == [f"histogram_{os.getpid()}.db"]


def _exited_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_gunicorn_drops_an_exited_workers_live_gauges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")
    gunicorn_conf.child_exit(None, SimpleNamespace(pid=4242))
    assert [p.name for p in tmp_path.iterdir()] == ["counter_4242.db"]  # totals never go back


@pytest.mark.slow
def test_serve_adds_up_the_figures_of_every_server_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")}  # fmt: skip
    env["PAPERFEED_HOME"] = str(tmp_path)
    cli = [sys.executable, "-m", "paperfeed"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    # An earlier run's figures, of a process now gone: serve starts from zero.
    earlier = "from paperfeed.lib.metrics import REQUEST_SECONDS as r\n" + (
        "for _ in range(1000): r.labels(view='healthz', method='GET', status='2xx').observe(0.1)"
    )
    (tmp_path / "metrics").mkdir()
    subprocess.run([sys.executable, "-c", earlier], check=True, timeout=60,
                   env={**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")})  # fmt: skip
    assert len(list((tmp_path / "metrics").glob("histogram_*.db"))) == 1
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                server_wait(server)
        # Requests in parallel until both processes have answered some (bounded).
        sent = 1
        with ThreadPoolExecutor(8) as pool:
            while len(list((tmp_path / "metrics").glob("histogram_*.db"))) < 2:
                assert sent < 400 and time.monotonic() < deadline, "one process answered all"
                codes = list(pool.map(lambda _: httpx.get(f"{base}/healthz").status_code,
                                      range(16)))  # fmt: skip
                assert codes == [200] * 16
                sent += 16
        response = httpx.get(f"{base}/metrics", timeout=10)
        assert response.status_code == 200
        text = response.text
        assert value(text, REQUESTS, view="healthz", method="GET", status="2xx") == sent
        assert value(text, "paperfeed_database_up") == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
