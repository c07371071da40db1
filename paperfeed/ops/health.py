"""What /healthz and /readyz report: is the process up, and can it serve?

Plain Django rather than django-health-check: four checks and a JSON body need a few functions,
not an app with its own plugins, settings and templates.

Readiness needs the database (reachable, every migration applied) and a keyword index built on
this host; a server without them answers errors, so a load balancer should send it nothing. The
worker's heartbeat is reported but never fails readiness: a dead worker delays new papers and
digests, yet every page still works, and taking the site out of service would not help it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from paperfeed.ops.models import WorkerHeartbeat
from paperfeed.search.indexing import keyword_path, model_key, vectors_root

log = logging.getLogger(__name__)

# Written by `keyword_sync` at every commit, even with nothing new: its presence says the index
# was built, its age when `paperfeed index` last brought the index up to date.
KEYWORD_STATE = "paperfeed-state.json"
# Replaced atomically at each publish of the vector index (search/vectors.py).
VECTORS_MANIFEST = "current.json"

# Once every migration is applied it stays so for the life of the process (a deploy that adds
# migrations restarts the servers), so the migration graph is loaded only until then.
_migrated = False


@dataclass
class Readiness:
    ok: bool
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "unavailable", "checks": self.checks}


def readiness() -> Readiness:
    database = database_check()
    reachable = database["status"] == "ok"
    migrations = migrations_check() if reachable else {"status": "unknown"}
    index = search_index_check()
    worker = worker_check() if reachable else {"status": "unknown", "age_seconds": None}
    ok = reachable and migrations["status"] == "ok" and index["status"] == "ok"
    checks = {"database": database, "migrations": migrations, "search_index": index,
              "worker": worker}  # fmt: skip
    return Readiness(ok=ok, checks=checks)


def database_check() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _failed("database", exc)
    return {"status": "ok"}


def migrations_check() -> dict[str, Any]:
    global _migrated
    if _migrated:
        return {"status": "ok"}
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return _failed("migrations", exc)
    if plan:
        return {"status": "pending", "unapplied": len(plan)}
    _migrated = True
    return {"status": "ok"}


def migrations_forget() -> None:
    """Check the migrations again on the next call (for tests)."""
    global _migrated
    _migrated = False


def search_index_check() -> dict[str, Any]:
    age = file_age(keyword_path() / KEYWORD_STATE)
    vectors = file_age(vectors_root(model_key(settings.EMBEDDING_MODEL)) / VECTORS_MANIFEST)
    # The vector index is optional (keyword search works without it), so it is only reported.
    return {"status": "ok" if age is not None else "missing", "age_seconds": age,
            "vectors_age_seconds": vectors}  # fmt: skip


def worker_check() -> dict[str, Any]:
    try:
        age = worker_age()
    except DatabaseError as exc:
        return {**_failed("worker", exc), "age_seconds": None}
    if age is None:
        return {"status": "missing", "age_seconds": None}
    fresh = age <= settings.READY_MAX_WORKER_AGE
    return {"status": "ok" if fresh else "stale", "age_seconds": age}


def worker_age() -> float | None:
    """Seconds since the latest worker heartbeat; None when no worker ever ran."""
    seen: datetime | None = WorkerHeartbeat.objects.aggregate(latest=Max("seen_at"))["latest"]
    if seen is None:
        return None
    return round(max(0.0, (timezone.now() - seen).total_seconds()), 3)


def file_age(path: Path) -> float | None:
    try:
        modified = path.stat().st_mtime
    except OSError:
        return None
    return round(max(0.0, time.time() - modified), 3)


def _failed(check: str, exc: Exception) -> dict[str, Any]:
    # The body is public: it names the kind of error, the log holds its message.
    log.warning("readiness check %s failed: %s", check, exc)
    return {"status": "error", "error": type(exc).__name__}
