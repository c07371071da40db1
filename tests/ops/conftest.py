from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from paperfeed.ops.jobs import JOBS
from tests.community.factories import make_user, user
from tests.digests.conftest import smtp, subscribe_confirmed
from tests.ops.pgcluster import Cluster, can_run

__all__ = ["make_user", "smtp", "subscribe_confirmed", "user"]  # fixtures


@pytest.fixture(autouse=True)
def worker_settings(settings: Any, tmp_path: Any) -> None:
    settings.JOB_LEASE_SECONDS = 60
    settings.JOB_RETRY_SECONDS = 60
    settings.JOB_MAX_ATTEMPTS = 3
    settings.DIGEST_CATCHUP_DAYS = 2
    settings.DIGEST_HOUR = 7
    settings.DIGEST_SKIP_EMPTY = True
    settings.DIGEST_BACKOFF_SECONDS = 0
    settings.TIME_ZONE = "UTC"
    settings.SITE_URL = "http://testserver"
    settings.HOST_KEY = "host-a"
    settings.ARXIV_API_DELAY = 0


@pytest.fixture
def registered() -> Any:
    """Register jobs for one test; they are removed after it."""
    added: list[str] = []

    def register(job: Any) -> Any:
        JOBS[job.name] = job
        added.append(job.name)
        return job

    yield register
    for name in added:
        JOBS.pop(name, None)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster of the test's own (tests/ops/pgcluster.py)."""
    reason = can_run()
    if reason:
        pytest.skip(reason)  # CI runs these as root with PostgreSQL installed
    made = Cluster()
    made.start()
    yield made
    made.remove()
