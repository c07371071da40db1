"""Claiming a job's slot: each (job, scope, slot) runs once, under a lease, retried with backoff.

A slot is one fire time of a job's schedule. Its row is created by whichever worker sees it due
first (a unique constraint makes the others find that row), and a worker runs the job only
after a conditional UPDATE has moved the row to `running` under its name: one UPDATE, one
winner, on SQLite and PostgreSQL alike. The claim is a lease, renewed while the job runs; a run
whose worker died (its lease lapsed, or its process is gone from this host) is claimable again,
as is a failed run once its backoff has passed, until it has had JOB_MAX_ATTEMPTS tries.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from paperfeed.lib.claims import claimer_dead_here
from paperfeed.ops.models import JobRun

MAX_BACKOFF = timedelta(hours=6)


def slot_get_or_create(*, job: str, scope: str, due_at: datetime, label: str = "") -> JobRun:
    """The run of this slot, created pending by the first worker to see it due."""
    found = JobRun.objects.filter(job=job, scope=scope, due_at=due_at).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job, scope=scope, due_at=due_at, label=label)
    except IntegrityError:  # another worker created it a moment ago
        return JobRun.objects.get(job=job, scope=scope, due_at=due_at)


def slot_claim(*, run: JobRun, worker: str, now: datetime | None = None) -> bool:
    """Take the run if it is free to run: pending, failed and past its backoff, or running
    under a worker that is gone. True for exactly one of several workers asking at once."""
    now = now or timezone.now()
    attempts_left = Q(attempts__lt=settings.JOB_MAX_ATTEMPTS)
    dead = [
        owner
        for owner in JobRun.objects.filter(pk=run.pk, state=JobRun.RUNNING).values_list(
            "claimed_by", flat=True
        )
        if claimer_dead_here(owner)
    ]
    orphaned = Q(state=JobRun.RUNNING) & (Q(lease_until__lt=now) | Q(claimed_by__in=dead))
    claimable = (
        Q(state=JobRun.PENDING)
        | (Q(state=JobRun.FAILED) & Q(next_attempt_at__lte=now) & attempts_left)
        | (orphaned & attempts_left)
    )
    claimed = (
        JobRun.objects.filter(pk=run.pk)
        .filter(claimable)
        .update(
            state=JobRun.RUNNING,
            claimed_by=worker,
            lease_until=now + timedelta(seconds=settings.JOB_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            started_at=now,
            next_attempt_at=None,
        )
    )
    if not claimed:
        # A run whose worker died on its last attempt is given up, with the reason kept.
        JobRun.objects.filter(pk=run.pk).filter(orphaned & ~attempts_left).update(
            state=JobRun.FAILED,
            claimed_by="",
            lease_until=None,
            error="the worker running it stopped (its lease lapsed) after the last attempt",
        )
    return claimed == 1


def slot_finish(*, run: JobRun, worker: str, result: str, duration: float) -> bool:
    """Record a success; False when the claim was no longer ours (taken over meanwhile)."""
    return _mine(run, worker).update(
        state=JobRun.DONE, result=result[:2000], duration=duration,
        finished_at=timezone.now(), claimed_by="", lease_until=None,
    ) == 1  # fmt: skip


def slot_fail(*, run: JobRun, worker: str, error: str, duration: float) -> datetime | None:
    """Record a failure and when the next attempt may start (None: no attempts left)."""
    run.refresh_from_db(fields=["attempts"])
    now = timezone.now()
    retry_at = None
    if run.attempts < settings.JOB_MAX_ATTEMPTS:
        wait = timedelta(seconds=settings.JOB_RETRY_SECONDS) * 2 ** (run.attempts - 1)
        retry_at = now + min(wait, MAX_BACKOFF)
    _mine(run, worker).update(
        state=JobRun.FAILED, error=error[:4000], duration=duration, finished_at=now,
        next_attempt_at=retry_at, claimed_by="", lease_until=None,
    )  # fmt: skip
    return retry_at


def slot_skip(*, job: str, scope: str, due_at: datetime, label: str, reason: str) -> None:
    """Record a slot that will not run (an edition too late to send), so it is logged once."""
    run = slot_get_or_create(job=job, scope=scope, due_at=due_at, label=label)
    JobRun.objects.filter(pk=run.pk, state=JobRun.PENDING).update(
        state=JobRun.SKIPPED, result=reason[:2000], finished_at=timezone.now()
    )


def leases_renew(*, worker: str, now: datetime | None = None) -> int:
    """Extend the leases of every run this worker is running (its heartbeat does this)."""
    now = now or timezone.now()
    return JobRun.objects.filter(state=JobRun.RUNNING, claimed_by=worker).update(
        lease_until=now + timedelta(seconds=settings.JOB_LEASE_SECONDS)
    )


def running_elsewhere(*, job: str, scope: str, worker: str, now: datetime) -> bool:
    """Whether another live worker is running this job now, so that a job that outlasts its
    slot is not started again beside itself (a process gone from this host does not count)."""
    owners = (
        JobRun.objects.filter(job=job, scope=scope, state=JobRun.RUNNING, lease_until__gte=now)
        .exclude(claimed_by=worker)
        .values_list("claimed_by", flat=True)
    )
    return any(not claimer_dead_here(owner) for owner in owners)


def _mine(run: JobRun, worker: str) -> QuerySet[JobRun]:
    return JobRun.objects.filter(pk=run.pk, state=JobRun.RUNNING, claimed_by=worker)
