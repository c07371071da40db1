"""The worker's own tables: one row per run of a scheduled job in a slot, and a heartbeat per
worker process. See docs/architecture.md ("The worker")."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """A scheduled job's run in one slot, claimed by one worker at a time.

    The unique (job, scope, slot) row is what makes a site-wide job run once per slot however
    many workers and hosts there are: a worker runs the job only after a conditional UPDATE has
    moved the row to `running` under its name (healthchecks' `sendalerts` claims checks the same
    way). The claim is a lease: a worker that dies stops renewing it, and once it lapses another
    worker takes the run over. A failed run waits `next_attempt_at` (backoff) before its next try.
    """

    PENDING, RUNNING, DONE, FAILED, SKIPPED = "pending", "running", "done", "failed", "skipped"
    STATES = [(s, s) for s in (PENDING, RUNNING, DONE, FAILED, SKIPPED)]

    job = models.CharField(max_length=40)
    # "" for a site-wide job; the host's key for a job that runs once per host (its own index).
    scope = models.CharField(max_length=64, blank=True, default="")
    # When the slot began (the schedule's fire time), which names it.
    due_at = models.DateTimeField()
    # A label for people: the edition a digest run sends, the fire time otherwise.
    label = models.CharField(max_length=40, blank=True, default="")
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=120, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)  # seconds, of the last attempt
    result = models.TextField(blank=True, default="")  # the summary line of the last success
    error = models.TextField(blank=True, default="")  # the last failure, kept after a success

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "scope", "due_at"], name="ops_jobrun_slot")
        ]
        indexes = [models.Index(fields=["job", "scope", "-due_at"], name="ops_jobrun_latest")]
        ordering = ["-due_at"]

    def __str__(self) -> str:
        where = f" on {self.scope}" if self.scope else ""
        return f"{self.job}{where} {self.label or f'{self.due_at:%Y-%m-%d %H:%M}'} ({self.state})"


class WorkerHeartbeat(models.Model):
    """A worker process that is (or was) alive; /readyz reports the age of the latest beat."""

    worker = models.CharField(max_length=120, unique=True)
    host = models.CharField(max_length=64)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker
