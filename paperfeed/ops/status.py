"""What `paperfeed worker status` and the admin show: every job's last and next run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from paperfeed.ops.jobs import JOBS, host_key
from paperfeed.ops.models import JobRun, WorkerHeartbeat


@dataclass(frozen=True)
class JobStatus:
    job: str
    description: str
    scope: str
    enabled: bool
    last: JobRun | None  # the latest run that started or was skipped
    last_success: datetime | None
    next_run: datetime

    @property
    def state(self) -> str:
        if not self.enabled:
            return "off"
        return self.last.state if self.last else "never run"

    @property
    def error(self) -> str:
        return self.last.error.splitlines()[0] if self.last and self.last.error else ""


def jobs_status(*, now: datetime | None = None) -> list[JobStatus]:
    now = now or timezone.now()
    rows = []
    for job in JOBS.values():
        scopes = [""]
        if job.per_host:
            seen = JobRun.objects.filter(job=job.name).values_list("scope", flat=True).distinct()
            scopes = sorted({host_key(), *seen})
        for scope in scopes:
            runs = JobRun.objects.filter(job=job.name, scope=scope).exclude(state=JobRun.PENDING)
            last = runs.order_by("-due_at").first()
            success = (
                runs.filter(state=JobRun.DONE).order_by("-finished_at").values_list(
                    "finished_at", flat=True
                ).first()
            )  # fmt: skip
            rows.append(JobStatus(
                job.name, job.description, scope, job.enabled(), last, success,
                job.schedule().next_after(now),
            ))  # fmt: skip
    return rows


def workers_alive() -> list[WorkerHeartbeat]:
    return list(WorkerHeartbeat.objects.order_by("-seen_at"))
