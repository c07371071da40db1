"""The scheduled jobs: what each does, when, and whether once for the site or once per host.

Every job is a plain function taking its JobRun and returning a one-line summary; it raises
JobError (or a source or command error) to fail, and is then retried with backoff. Other
features add their own jobs with `job_register`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max
from django.utils import timezone

from paperfeed.lib.schedule import Schedule
from paperfeed.ops.models import JobRun

if TYPE_CHECKING:
    from paperfeed.alerts.services import CheckSummary

log = logging.getLogger(__name__)


class JobError(Exception):
    """A job failed for a reason worth one log line (a source unreachable), not a traceback."""


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    schedule: Callable[[], Schedule]  # read when asked, so settings changed in tests apply
    run: Callable[[JobRun], str]
    per_host: bool = False  # once per slot on every host (its own index), not once for the site
    # True: every slot missed while no worker ran is run once, unless more than
    # DIGEST_CATCHUP_DAYS late; False: only the latest slot runs (it covers the gap itself).
    catch_up: bool = False
    enabled: Callable[[], bool] = field(default=lambda: True)
    label: Callable[[datetime], str] = field(default=lambda due: f"{due:%Y-%m-%d %H:%M}")


JOBS: dict[str, Job] = {}


def job_register(job: Job) -> Job:
    JOBS[job.name] = job
    return job


def jobs_selected(names: list[str]) -> list[Job]:
    """The jobs a worker runs (all when `names` is empty); unknown names are an error."""
    unknown = [name for name in names if name not in JOBS]
    if unknown:
        raise CommandError(
            f"unknown job {', '.join(map(repr, unknown))}: the jobs are {', '.join(JOBS)}"
        )
    return [job for name, job in JOBS.items() if not names or name in names]


def host_key() -> str:
    """This host's name in the job table: its own index is what per-host jobs keep current, so
    two homes on one machine are two hosts."""
    if settings.HOST_KEY:
        return settings.HOST_KEY[:64]
    home = hashlib.sha1(str(settings.HOME).encode()).hexdigest()[:8]
    return f"{socket.gethostname()[:50]}-{home}"


def _command(name: str, *args: str) -> str:
    """Run a management command as a job step: its summary line, or JobError with its message."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise JobError(f"{name}: {exc}") from None
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else "done"


# arXiv --------------------------------------------------------------------------------------
def harvest_from(set_spec: str, now: datetime) -> date:
    """Where the next harvest of a set starts: the day the last one ran (re-reading a day is
    harmless), or for a site that never harvested, the latest announcement day (and
    HARVEST_FIRST_DAYS - 1 before it), never the dates of whatever sample it was loaded with."""
    from paperfeed.papers.importing import state_get

    saved = state_get(f"harvest:{set_spec}").get("next_from")
    if saved:
        return date.fromisoformat(saved)
    announced = _harvest_schedule().latest(now).date()
    return announced - timedelta(days=settings.HARVEST_FIRST_DAYS - 1)


def harvest_run(run: JobRun) -> str:
    from paperfeed.papers.importing import state_set

    now = timezone.now()
    today = now.astimezone(ZoneInfo(settings.HARVEST_TIME_ZONE)).date()
    lines = []
    for set_spec in settings.ARXIV_SETS:
        start = harvest_from(set_spec, now)
        line = _command(
            "ingest_oai", "--set", set_spec, "--from", start.isoformat(),
            "--format", settings.HARVEST_FORMAT,
        )  # fmt: skip
        state_set(f"harvest:{set_spec}", {"next_from": today.isoformat()})
        lines.append(f"{set_spec} from {start}: {line}")
    return "; ".join(lines)


def _harvest_schedule() -> Schedule:
    return Schedule(settings.HARVEST_SCHEDULE, settings.HARVEST_TIME_ZONE)


def hf_daily_run(run: JobRun) -> str:
    return _command("ingest_hf_daily", "--date", timezone.localdate().isoformat())


# search --------------------------------------------------------------------------------------
def embed_run(run: JobRun) -> str:
    from paperfeed.search.embedding import EmbeddingError
    from paperfeed.search.engine import embedder_shared
    from paperfeed.search.indexing import embeddings_update, model_key, summaries_update

    try:
        embedder = embedder_shared(model_key(settings.EMBEDDING_MODEL), settings.EMBEDDING_BACKEND)
    except EmbeddingError as exc:
        raise JobError(f"the embedding model cannot be loaded: {exc}") from None
    batch = max(settings.EMBEDDING_BATCH_SIZE, embedder.papers_per_call)
    done, same = embeddings_update(embedder=embedder, batch_size=batch)
    # Key phrases for the new papers, and a bounded share of any backlog (a catalog embedded
    # before they existed) on each run.
    described = summaries_update(embedder=embedder, limit=settings.SUMMARIES_PER_RUN)
    return f"{done:,} papers embedded · {same:,} unchanged · {described:,} described"


def index_run(run: JobRun) -> str:
    from paperfeed.search.indexing import (
        IndexBusy,
        index_lock,
        keyword_sync,
        model_key,
        vectors_sync,
    )

    try:
        with index_lock():
            written, docs = keyword_sync()
            added, total = vectors_sync(model=model_key(settings.EMBEDDING_MODEL))
    except IndexBusy:
        return "skipped: `paperfeed index` is running on this host"
    return f"keyword {written:,} written ({docs:,}) · vectors {added:,} added ({total:,})"


# links ---------------------------------------------------------------------------------------
def repositories_run(run: JobRun) -> str:
    """Stars, language and licence of the repositories that are due; GitHub's rate limit ends
    a run early, and the next one carries on."""
    from paperfeed.lib.records import SourceError
    from paperfeed.links.services import github_client, repositories_refresh

    try:
        with github_client() as client:
            return str(repositories_refresh(client=client))
    except SourceError as exc:
        raise JobError(f"GitHub could not be reached: {exc}") from None


# alerts --------------------------------------------------------------------------------------
def alerts_run(run: JobRun) -> str:
    """Saved-search alerts against the papers that arrived since their last run: by words and,
    when the embedding model loads, by meaning."""
    return str(alerts_check_now())


def alerts_check_now() -> CheckSummary:
    from paperfeed.alerts.services import alerts_check
    from paperfeed.search.embedding import EmbeddingError
    from paperfeed.search.engine import embedder_shared
    from paperfeed.search.indexing import model_key

    try:
        embedder = embedder_shared(model_key(settings.EMBEDDING_MODEL), settings.EMBEDDING_BACKEND)
    except EmbeddingError as exc:
        log.warning("alerts matched by their words only: %s", exc)
        embedder = None
    return alerts_check(embedder=embedder)


# digests -------------------------------------------------------------------------------------
def _edition_day(frequency: str, due: datetime) -> date:
    """The day whose edition a digest run sends: yesterday's, or last week's."""
    local = timezone.localtime(due).date()
    return local - timedelta(days=1 if frequency == "daily" else 7)


def _digest_run(frequency: str) -> Callable[[JobRun], str]:
    def run(job_run: JobRun) -> str:
        from paperfeed.digests.alert_editions import alerts_edition_prepare
        from paperfeed.digests.editions import edition_prepare
        from paperfeed.digests.sending import Sender, SendingStopped

        day = _edition_day(frequency, job_run.due_at)
        prepared = edition_prepare(frequency=frequency, day=day)
        # After the digest: a reader whose digest goes out gets their alerts in it.
        alerts = alerts_edition_prepare(frequency=frequency, day=day)
        editions = [p.edition.pk for p in (prepared, alerts) if p.edition is not None]
        if not editions:
            return f"{prepared.period.slug}: not sent ({prepared.reason})"
        try:
            summary = Sender(wait=False, editions=editions).run()
        except SendingStopped as exc:
            raise JobError(f"the mail server cannot be reached: {exc}") from None
        text = f"{prepared.period.slug}: sent {summary.sent}, failed {summary.failed}"
        return text + (f", {summary.retried} to retry" if summary.retried else "")

    return run


def _digest_label(frequency: str) -> Callable[[datetime], str]:
    def label(due: datetime) -> str:
        from paperfeed.digests.editions import edition_period

        return edition_period(frequency, _edition_day(frequency, due)).slug

    return label


def deliveries_run(run: JobRun) -> str:
    """Deliveries left waiting for a retry (a 4xx, a server that was down) are sent when due."""
    from paperfeed.digests.sending import Sender, SendingStopped

    try:
        summary = Sender(wait=False).run()
    except SendingStopped as exc:
        raise JobError(f"the mail server cannot be reached: {exc}") from None
    return f"sent {summary.sent}, failed {summary.failed}"


def housekeeping_run(run: JobRun) -> str:
    """Old job runs and finished queued tasks go; each job keeps its latest run."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=14)
    latest = JobRun.objects.values("job", "scope").annotate(last=Max("id")).values("last")
    runs, _ = (
        JobRun.objects.filter(due_at__lt=cutoff)
        .exclude(state=JobRun.RUNNING)
        .exclude(pk__in=latest)
        .delete()
    )
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return f"removed {runs:,} old job runs and {tasks:,} finished tasks"


def _site_zone_schedule(expression: str) -> Callable[[], Schedule]:
    return lambda: Schedule(expression, settings.TIME_ZONE)


def _digest_schedule(weekday: str) -> Callable[[], Schedule]:
    return lambda: Schedule(f"0 {settings.DIGEST_HOUR} * * {weekday}", settings.TIME_ZONE)


job_register(Job(
    "harvest", "new arXiv papers over OAI-PMH, after each announcement", _harvest_schedule,
    harvest_run,
))  # fmt: skip
job_register(Job(
    "hf_daily", "papers featured on Hugging Face Daily Papers (PAPERFEED_HF_DAILY)",
    lambda: Schedule(settings.HF_DAILY_SCHEDULE, "UTC"), hf_daily_run,
    enabled=lambda: settings.HF_DAILY,
))  # fmt: skip
job_register(Job(
    "embed", "embeddings of new and changed papers (stored once for the site)",
    lambda: Schedule(settings.INDEX_SCHEDULE, "UTC"), embed_run,
))  # fmt: skip
job_register(Job(
    "index", "this host's keyword and vector indexes",
    lambda: Schedule(settings.INDEX_SCHEDULE, "UTC"), index_run, per_host=True,
))  # fmt: skip
job_register(Job(
    "repositories", "GitHub stars and metadata of the papers' repositories: recent ones daily",
    lambda: Schedule(settings.REPOSITORIES_SCHEDULE, "UTC"), repositories_run,
))  # fmt: skip
job_register(Job(
    "alerts", "saved-search alerts: the papers that arrived since each one's last run",
    lambda: Schedule(settings.ALERTS_SCHEDULE, "UTC"), alerts_run,
))  # fmt: skip
job_register(Job(
    "digest_daily", "the daily digest, at PAPERFEED_DIGEST_HOUR", _digest_schedule("*"),
    _digest_run("daily"), catch_up=True, label=_digest_label("daily"),
))  # fmt: skip
job_register(Job(
    "digest_weekly", "the weekly digest, Mondays at PAPERFEED_DIGEST_HOUR", _digest_schedule("1"),
    _digest_run("weekly"), catch_up=True, label=_digest_label("weekly"),
))  # fmt: skip
job_register(Job(
    "deliveries", "digest messages waiting for a retry", _site_zone_schedule("*/5 * * * *"),
    deliveries_run,
))  # fmt: skip
job_register(Job(
    "housekeeping", "old job runs and finished tasks", _site_zone_schedule("17 3 * * *"),
    housekeeping_run,
))  # fmt: skip
