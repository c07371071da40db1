"""What /metrics answers: the processes' own metrics (paperfeed/lib/metrics.py), added up over
every server process, plus figures read from the database at each scrape.

Digests sent and failed, and the jobs' runs, are rows in the database whichever process or host
did the work, so they are read there rather than counted in memory: a count kept by one process
would be lost at its restart and missed by every other host.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max, Q
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from paperfeed.accounts.backends import client_ip
from paperfeed.digests.models import Delivery
from paperfeed.ops import health
from paperfeed.ops.models import JobRun

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def metrics_dir() -> Path:
    """Where the server processes write their values under `paperfeed serve`."""
    return Path(settings.HOME) / "metrics"


def metrics_allowed(request: HttpRequest) -> bool:
    return bool(
        settings.METRICS_ALLOW.allows(
            address=client_ip(request),
            authorization=request.META.get("HTTP_AUTHORIZATION", ""),
        )
    )


def metrics_render(accept: str = "") -> tuple[bytes, str]:
    """The exposition (Prometheus text, or OpenMetrics when asked for) and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        # prometheus_client ships py.typed, but its multiprocess module is unannotated.
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(DatabaseCollector())
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


class _Forward(Collector):
    """The default registry's metrics, inside a registry of its own for one scrape."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


class DatabaseCollector(Collector):
    """Digests, job runs, the worker's heartbeat and the index's age, read at each scrape."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "paperfeed_database_up", "Whether /metrics could read the database (1) or not (0)."
        )
        try:
            families = [_deliveries(), *_jobs(), _worker()]
        except DatabaseError as exc:
            log.warning("metrics: the database could not be read: %s", exc)
            families = []
        up.add_metric([], 1 if families else 0)
        yield up
        yield from families
        yield _index_age()


def _deliveries() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "paperfeed_digest_deliveries",
        "Digest deliveries by state (sent, failed, pending, claimed, skipped).",
        labels=["state"],
    )
    counts = dict(Delivery.objects.values_list("state").annotate(n=Count("id")).order_by())
    for state, _ in Delivery.STATES:
        family.add_metric([state], counts.get(state, 0))
    return family


def _jobs() -> list[GaugeMetricFamily]:
    runs = GaugeMetricFamily(
        "paperfeed_job_runs", "Runs of each scheduled job by state.", labels=["job", "state"]
    )
    duration = GaugeMetricFamily(
        "paperfeed_job_last_duration_seconds",
        "How long the latest finished run of a job took (scope: the host, for per-host jobs).",
        labels=["job", "scope"],
    )
    success = GaugeMetricFamily(
        "paperfeed_job_last_success_timestamp_seconds",
        "When a job last finished successfully (Unix time).",
        labels=["job", "scope"],
    )
    rows = (
        JobRun.objects.values("job", "scope")
        .annotate(
            done=Count("id", filter=Q(state=JobRun.DONE)),
            failed=Count("id", filter=Q(state=JobRun.FAILED)),
            last_success=Max("finished_at", filter=Q(state=JobRun.DONE)),
        )
        .order_by("job", "scope")
    )
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        job, scope = row["job"], row["scope"]
        counts = totals.setdefault(job, {"done": 0, "failed": 0})
        counts["done"] += row["done"]
        counts["failed"] += row["failed"]
        if row["last_success"] is not None:
            success.add_metric([job, scope], row["last_success"].timestamp())
        # The latest finished run of this job and scope, through the (job, scope, -due_at) index.
        last = (
            JobRun.objects.filter(job=job, scope=scope, duration__isnull=False)
            .exclude(state=JobRun.RUNNING)
            .values_list("duration", flat=True)
            .first()
        )
        if last is not None:
            duration.add_metric([job, scope], last)
    for job, counts in totals.items():
        for state, n in counts.items():
            runs.add_metric([job, state], n)
    return [runs, duration, success]


def _worker() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "paperfeed_worker_heartbeat_age_seconds",
        "Seconds since the latest heartbeat of any worker (absent when no worker ever ran).",
    )
    age = health.worker_age()
    if age is not None:
        family.add_metric([], age)
    return family


def _index_age() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "paperfeed_search_index_age_seconds",
        "Seconds since this host's keyword index was last brought up to date.",
    )
    age = health.search_index_check()["age_seconds"]
    if age is not None:
        family.add_metric([], age)
    return family
