"""`paperfeed worker`: runs the scheduled jobs when due and the queued tasks as they come.

One process per host (more are harmless). Its main thread looks for due slots every few
seconds and runs the jobs it wins one after another; a second thread runs django-tasks' database
worker over the queue, so that a confirmation email never waits for a long harvest; a third
beats the heartbeat and renews the leases of the jobs this process is running.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from paperfeed.lib.claims import claimer_id
from paperfeed.lib.records import SourceError
from paperfeed.lib.schedule import Schedule
from paperfeed.ops.jobs import Job, JobError, host_key
from paperfeed.ops.models import JobRun, WorkerHeartbeat
from paperfeed.ops.slots import (
    leases_renew,
    running_elsewhere,
    slot_claim,
    slot_fail,
    slot_finish,
    slot_get_or_create,
    slot_skip,
)

if TYPE_CHECKING:
    from django_tasks_db.management.commands.db_worker import Worker as DbWorker

log = logging.getLogger("paperfeed.worker")

POLL_SECONDS = 5.0  # how often due slots are looked for
HEARTBEAT_SECONDS = 5.0
# Failures worth one log line: the job's own errors and sources or databases out of reach.
EXPECTED = (JobError, SourceError, CommandError, httpx.HTTPError, OSError, DatabaseError)


@dataclass(frozen=True)
class Outcome:
    job: str
    label: str
    ok: bool
    text: str


class Worker:
    def __init__(self, *, jobs: list[Job], name: str | None = None) -> None:
        self.jobs = jobs
        self.name = name or claimer_id()
        self.host = host_key()
        self.stopping = threading.Event()

    # -- scheduled jobs -------------------------------------------------------------------------
    def due_slots(self, job: Job, now: datetime) -> list[datetime]:
        """The fire times of `job` that should have run by `now` and may still run."""
        schedule = job.schedule()
        if not job.catch_up:
            return [schedule.latest(now)]
        # A run a few minutes late (a worker that was busy) is never "missed", even with 0 days.
        window = now - max(timedelta(days=settings.DIGEST_CATCHUP_DAYS), timedelta(hours=1))
        due = schedule.between(window, now)
        self._skip_missed(job, schedule, window)
        return due

    def _skip_missed(self, job: Job, schedule: Schedule, window: datetime) -> None:
        """Slots missed longer ago than the catch-up window are not run: logged once, and the
        newest of them recorded as skipped so that the next look starts after it."""
        scope = self.scope(job)
        last = JobRun.objects.filter(job=job.name, scope=scope).order_by("-due_at").first()
        if last is None:
            return
        missed = schedule.between(last.due_at, window)
        if not missed:
            return
        first, newest = job.label(missed[0]), job.label(missed[-1])
        span = first if first == newest else f"{first} to {newest}"
        reason = (
            f"skipped {len(missed)} missed run(s) ({span}): more than "
            f"PAPERFEED_DIGEST_CATCHUP_DAYS={settings.DIGEST_CATCHUP_DAYS} days late"
        )
        log.warning("%s: %s", job.name, reason)
        slot_skip(job=job.name, scope=scope, due_at=missed[-1], label=newest, reason=reason)

    def scope(self, job: Job) -> str:
        return self.host if job.per_host else ""

    def tick(self, now: datetime | None = None) -> list[Outcome]:
        """Run every job that is due and not yet done in its slot; returns what ran."""
        outcomes = []
        for job in self.jobs:
            if self.stopping.is_set():
                break
            if not job.enabled():
                continue
            now_job = now or timezone.now()
            scope = self.scope(job)
            for due in self.due_slots(job, now_job):
                run = slot_get_or_create(
                    job=job.name, scope=scope, due_at=due, label=job.label(due)
                )
                if run.state in (JobRun.DONE, JobRun.SKIPPED):
                    continue
                if not job.catch_up and running_elsewhere(
                    job=job.name, scope=scope, worker=self.name, now=now_job
                ):
                    continue
                if slot_claim(run=run, worker=self.name, now=now_job):
                    outcomes.append(self.execute(job, run))
        return outcomes

    def execute(self, job: Job, run: JobRun) -> Outcome:
        started = time.monotonic()
        try:
            text = job.run(run)
        except EXPECTED as exc:
            duration = time.monotonic() - started
            error = _one_line(exc)
            retry_at = slot_fail(run=run, worker=self.name, error=error, duration=duration)
            log.warning("%s %s failed (attempt %s): %s; %s", job.name, run.label, run.attempts,
                        error, _retry_text(retry_at))  # fmt: skip
            return Outcome(job.name, run.label, False, error)
        except Exception as exc:  # a bug: keep the traceback, and still retry later
            duration = time.monotonic() - started
            log.exception("%s %s failed", job.name, run.label)
            error = _one_line(exc) + "\n" + traceback.format_exc(limit=8)
            slot_fail(run=run, worker=self.name, error=error, duration=duration)
            return Outcome(job.name, run.label, False, _one_line(exc))
        duration = time.monotonic() - started
        slot_finish(run=run, worker=self.name, result=text, duration=duration)
        log.info("%s %s done in %.1f s: %s", job.name, run.label, duration, text)
        return Outcome(job.name, run.label, True, text)

    # -- the process ----------------------------------------------------------------------------
    def beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker=self.name,
            defaults={"host": self.host, "pid": os.getpid(), "seen_at": now},
            create_defaults={"host": self.host, "pid": os.getpid(), "seen_at": now,
                             "started_at": now},
        )  # fmt: skip
        leases_renew(worker=self.name, now=now)

    def run_forever(self) -> None:
        threads = [
            threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True),
            threading.Thread(target=self._queue_loop, name="queue", daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            while not self.stopping.is_set():
                self._guarded(self.tick)
                self.stopping.wait(POLL_SECONDS)
        finally:
            self.stopping.set()
            self._guarded(self.release)

    def release(self) -> None:
        """On the way out: a job stopped half-way is free to run again at once, anywhere."""
        JobRun.objects.filter(state=JobRun.RUNNING, claimed_by=self.name).update(
            state=JobRun.FAILED, claimed_by="", lease_until=None, next_attempt_at=timezone.now(),
            error="the worker was stopped while running it; it runs again from where it stopped",
        )  # fmt: skip
        WorkerHeartbeat.objects.filter(worker=self.name).delete()

    def _guarded(self, step: Callable[[], object]) -> None:
        """One step of a loop; a database that is down is reported in one line, then retried."""
        try:
            close_old_connections()
            step()
        except DatabaseError as exc:
            log.warning("the database is unreachable (%s); trying again", _one_line(exc))
            connection.close()
            self.stopping.wait(POLL_SECONDS)

    def _heartbeat_loop(self) -> None:
        while not self.stopping.is_set():
            self._guarded(self.beat)
            self.stopping.wait(HEARTBEAT_SECONDS)
        connection.close()

    def _queue_loop(self) -> None:
        while not self.stopping.is_set():
            queue = queue_worker(worker_id=self.name, batch=False)
            watcher = threading.Thread(target=self._stop_queue, args=(queue,), daemon=True)
            watcher.start()
            try:
                queue.run()
            except DatabaseError as exc:
                log.warning("the task queue cannot be read (%s); trying again", _one_line(exc))
                connection.close()
                self.stopping.wait(POLL_SECONDS)
        connection.close()

    def _stop_queue(self, queue: DbWorker) -> None:
        self.stopping.wait()
        queue.running = False


def queue_worker(*, worker_id: str, batch: bool) -> DbWorker:
    """django-tasks' database worker over the default queue (`batch`: until it is empty)."""
    from django_tasks_db.management.commands.db_worker import Worker as DbWorker

    return DbWorker(
        queue_names=["default"], interval=1.0, batch=batch, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=worker_id[:64], excluded_queue_names=[],
    )  # fmt: skip


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:500]


def _retry_text(retry_at: datetime | None) -> str:
    if retry_at is None:
        return f"no attempts left (PAPERFEED_JOB_MAX_ATTEMPTS={settings.JOB_MAX_ATTEMPTS})"
    return f"next attempt at {timezone.localtime(retry_at):%Y-%m-%d %H:%M:%S}"
