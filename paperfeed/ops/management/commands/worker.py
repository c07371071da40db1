"""paperfeed worker [--once] | paperfeed worker status: scheduled jobs and queued tasks."""

from __future__ import annotations

import json
import logging
import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from paperfeed.lib.priority import priority_lower
from paperfeed.ops.clock import clock_pinned
from paperfeed.ops.jobs import jobs_selected
from paperfeed.ops.status import jobs_status, workers_alive
from paperfeed.ops.worker import Worker, queue_worker


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs (harvest, Hugging Face import, embeddings, this host's indexes, "
        "digests) when due, once per slot however many workers run, and the queued background "
        "tasks. `--once` runs what is due and exits (for cron); `status` shows every job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["run", "status"], default="run")
        parser.add_argument("--once", action="store_true", help="run what is due, then exit")
        parser.add_argument(
            "--job", action="append", default=[], metavar="NAME",
            help="run only this job (repeatable; default: PAPERFEED_WORKER_JOBS, else all)",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", help="status as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with clock_pinned():
            if options["action"] == "status":
                self.status(as_json=options["json"])
                return
            jobs = jobs_selected(options["job"] or settings.WORKER_JOBS)
            _logging(options["verbosity"])
            if settings.WORKER_NICE:
                priority_lower(settings.WORKER_NICE)  # requests on the same cores come first
            worker = Worker(jobs=jobs)
            if options["once"]:
                self.once(worker)
                return
            self.stdout.write(
                f"paperfeed worker {worker.name}: {', '.join(j.name for j in jobs)} "
                f"(host {worker.host})"
            )
            self.stdout.flush()
            signal.signal(signal.SIGTERM, _stop(worker))
            signal.signal(signal.SIGINT, _stop(worker))
            try:
                worker.run_forever()
            except SystemExit:
                self.stdout.write("paperfeed worker stopped")

    def once(self, worker: Worker) -> None:
        worker.beat()
        outcomes = worker.tick()
        queue_worker(worker_id=worker.name, batch=True).run()
        for outcome in outcomes:
            mark = "ok" if outcome.ok else "FAILED"
            self.stdout.write(f"{outcome.job} {outcome.label}: {mark}: {outcome.text}")
        if not outcomes:
            self.stdout.write("nothing was due")
        failed = [o for o in outcomes if not o.ok]
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed; they are retried on a later run")

    def status(self, *, as_json: bool) -> None:
        rows = jobs_status()
        if as_json:
            self.stdout.write(json.dumps([_as_dict(row) for row in rows], default=str, indent=1))
            return
        fmt = "{:<14} {:<10} {:<18} {:<16} {:>8}  {:<16}  {}"
        self.stdout.write(fmt.format("job", "state", "last run", "last success", "seconds",
                                     "next run", "last error"))  # fmt: skip
        for row in rows:
            last = row.last
            name = row.job + (f"@{row.scope[:12]}" if row.scope else "")
            self.stdout.write(fmt.format(
                name[:14], row.state, (last.label if last else "-")[:18],
                _when(row.last_success), f"{last.duration:.1f}" if last and last.duration else "-",
                _when(row.next_run) if row.enabled else "-", row.error[:80],
            ))  # fmt: skip
        beats = workers_alive()
        if not beats:
            self.stdout.write("no worker is running: start one with `paperfeed worker`")
        for beat in beats:
            age = (timezone.now() - beat.seen_at).total_seconds()
            self.stdout.write(f"worker {beat.worker} on {beat.host}: last seen {age:,.0f} s ago")


def _stop(worker: Worker) -> Any:
    """Stop at once, even in the middle of a job (a harvest waiting on arXiv): everything a job
    commits is resumable, and its run is taken over at the next start on this host, since the
    process that held it is gone."""

    def handler(signum: int, frame: Any) -> None:
        worker.stopping.set()
        raise SystemExit(0)

    return handler


def _when(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "-"


def _as_dict(row: Any) -> dict[str, Any]:
    last = row.last
    return {
        "job": row.job, "scope": row.scope, "state": row.state, "enabled": row.enabled,
        "last_run": last.label if last else None,
        "last_started": last.started_at if last else None,
        "last_finished": last.finished_at if last else None,
        "duration": last.duration if last else None, "attempts": last.attempts if last else 0,
        "last_success": row.last_success, "next_run": row.next_run, "last_error": row.error,
        "result": last.result if last else "",
    }  # fmt: skip


def _logging(verbosity: int) -> None:
    """Job outcomes on stderr, one line each (INFO with -v 2, else failures only)."""
    logger = logging.getLogger("paperfeed.worker")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s worker %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO if verbosity >= 2 else logging.WARNING)
    # A source's retries are summed up by the job's own line (one line per failed attempt).
    logging.getLogger("paperfeed.lib").setLevel(logging.INFO if verbosity >= 2 else logging.ERROR)
