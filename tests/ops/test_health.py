"""/healthz and /readyz: the process answers; it can serve (database, migrations, index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from paperfeed.ops import health
from paperfeed.ops.models import WorkerHeartbeat
from paperfeed.papers.ingest import papers_upsert_batch
from paperfeed.search.indexing import keyword_sync
from tests.papers.factories import record

NOW = datetime(2026, 3, 15, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def migrations_unknown() -> Iterator[None]:
    """Each test checks the migrations afresh (a process remembers once they are applied)."""
    health.migrations_forget()
    yield
    health.migrations_forget()


@pytest.fixture
def indexed(db: None) -> None:
    papers_upsert_batch(records=[record(f"2401.0000{n}") for n in range(1, 4)])
    keyword_sync()


def readyz(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any query here would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_readyz_is_ready_on_a_migrated_database_with_an_index(
    client: Client, indexed: None
) -> None:
    status, body = readyz(client)
    assert status == 200
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["migrations"] == {"status": "ok"}
    assert checks["search_index"]["status"] == "ok"
    assert 0 <= checks["search_index"]["age_seconds"] < 60
    assert checks["search_index"]["vectors_age_seconds"] is None  # no vector index yet
    assert checks["worker"] == {"status": "missing", "age_seconds": None}


def test_readyz_is_unavailable_until_the_index_is_built(client: Client, db: None) -> None:
    status, body = readyz(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["search_index"] == {
        "status": "missing", "age_seconds": None, "vectors_age_seconds": None
    }  # fmt: skip


def test_an_opened_but_never_built_index_folder_is_not_an_index(client: Client, db: None) -> None:
    from paperfeed.search.engine import engine

    engine().keyword.refresh()  # a search opens (and creates) the folder before any indexing
    assert readyz(client)[0] == 503


def test_readyz_is_unavailable_while_a_migration_is_unapplied(
    client: Client, indexed: None
) -> None:
    MigrationRecorder(connection).record_unapplied("ops", "0001_initial")
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["migrations"]["status"] == "pending"
    assert body["checks"]["migrations"]["unapplied"] >= 1


def test_readyz_remembers_once_every_migration_is_applied(
    client: Client, indexed: None, django_assert_max_num_queries: Any
) -> None:
    assert readyz(client)[0] == 200
    with django_assert_max_num_queries(2):  # SELECT 1 and the heartbeat; no migration table
        assert readyz(client)[0] == 200


def test_a_stale_worker_heartbeat_is_reported_but_the_site_stays_ready(
    client: Client, indexed: None, settings: Any
) -> None:
    settings.READY_MAX_WORKER_AGE = 300
    with time_machine.travel(NOW, tick=False):
        WorkerHeartbeat.objects.create(worker="host:1", host="host", pid=1,
                                       started_at=NOW - timedelta(hours=1),
                                       seen_at=NOW - timedelta(minutes=10))  # fmt: skip
        WorkerHeartbeat.objects.create(worker="host:2", host="host", pid=2,
                                       started_at=NOW - timedelta(hours=2),
                                       seen_at=NOW - timedelta(hours=1))  # fmt: skip
        status, body = readyz(client)
    assert status == 200
    assert body["checks"]["worker"] == {"status": "stale", "age_seconds": 600.0}


def test_a_recent_worker_heartbeat_is_ok(client: Client, indexed: None) -> None:
    with time_machine.travel(NOW, tick=False):
        WorkerHeartbeat.objects.create(worker="host:1", host="host", pid=1,
                                       started_at=NOW - timedelta(hours=1),
                                       seen_at=NOW - timedelta(seconds=4))  # fmt: skip
        status, body = readyz(client)
    assert status == 200
    assert body["checks"]["worker"] == {"status": "ok", "age_seconds": 4.0}


def test_readyz_answers_503_when_the_database_refuses(
    client: Client, indexed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:  # undone before the test database is rolled back
        patched.setattr(connection, "cursor", refuse)
        status, body = readyz(client)
    assert status == 503
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert body["checks"]["migrations"] == {"status": "unknown"}
    assert body["checks"]["worker"] == {"status": "unknown", "age_seconds": None}
    assert "connection refused" not in json.dumps(body)  # the message goes to the log only


UNREACHABLE = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
django.setup()
from django.test import Client
client = Client()
started = time.monotonic()
ready = client.get("/readyz")
took = time.monotonic() - started
metrics = client.get("/metrics")
print(ready.status_code, took, ready.content.decode(), sep="\\n")
print(metrics.status_code, "paperfeed_database_up 0.0" in metrics.content.decode(), sep="\\n")
"""


@pytest.mark.parametrize(
    "database",
    [
        "sqlite:///{home}/no-such-folder/paperfeed.db",
        "postgres://paperfeed:paperfeed@127.0.0.1:{port}/paperfeed",  # nothing listens there
    ],
    ids=["sqlite-unopenable", "postgres-refused"],
)
def test_readyz_answers_503_quickly_with_an_unreachable_database(
    database: str, tmp_path: Path
) -> None:
    from tests.web.test_serve import free_port

    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")
    }
    env["PAPERFEED_HOME"] = str(tmp_path)
    env["DATABASE_URL"] = database.format(home=tmp_path, port=free_port())
    done = subprocess.run([sys.executable, "-c", UNREACHABLE], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    status, took, body, metrics_status, database_down = done.stdout.splitlines()
    assert status == "503"
    assert float(took) < 5
    assert json.loads(body)["checks"]["database"] == {
        "status": "error",
        "error": "OperationalError",
    }
    # /metrics still answers, saying that the database could not be read.
    assert (metrics_status, database_down) == ("200", "True")
