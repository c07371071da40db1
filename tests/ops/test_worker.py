"""The worker's schedule, claims, retries and catch-up, with the clock pinned (time-machine)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.digests.models import Delivery, Edition
from paperfeed.lib.schedule import Schedule
from paperfeed.ops.jobs import JOBS, Job, JobError
from paperfeed.ops.models import JobRun
from paperfeed.ops.worker import Worker
from paperfeed.papers.models import Paper
from tests.community.factories import feature, make_paper
from tests.digests.smtp import SmtpServer
from tests.support import fixture_path
from tests.support.replay import ReplayServer, Reply

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026, 12:00 UTC.
NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
OAI_LIST = fixture_path("oai-pmh/arxivraw/ListRecordsResponse.xml").read_text()
LAST_PAGE = re.sub(r"<resumptionToken[^>]*>[^<]+</resumptionToken>", "", OAI_LIST)


def counting_job(name: str, calls: list[str], *, fail: int = 0, **extra: Any) -> Job:
    """A job that records each run and fails its first `fail` runs."""

    def run(job_run: JobRun) -> str:
        calls.append(job_run.label)
        if len(calls) <= fail:
            raise JobError(f"failure number {len(calls)}")
        return f"run {len(calls)}"

    return Job(name, "test", lambda: Schedule("0 * * * *"), run, **extra)


def test_a_site_wide_job_runs_once_per_slot_whatever_the_number_of_workers(
    registered: Any,
) -> None:
    calls: list[str] = []
    job = registered(counting_job("hourly", calls))
    first, second = Worker(jobs=[job], name="a:1:x"), Worker(jobs=[job], name="b:2:y")
    with time_machine.travel(NOON, tick=False):
        assert [o.ok for o in first.tick()] == [True]
        assert second.tick() == [] and first.tick() == []
    with time_machine.travel(NOON + timedelta(minutes=59), tick=False):
        assert second.tick() == []  # still the 12:00 slot
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        assert len(second.tick()) == 1 and first.tick() == []
    assert calls == ["2026-12-01 12:00", "2026-12-01 13:00"]
    assert JobRun.objects.filter(job="hourly", state="done").count() == 2


def test_a_per_host_job_runs_once_per_slot_on_each_host(registered: Any, settings: Any) -> None:
    calls: list[str] = []
    job = registered(counting_job("local", calls, per_host=True))
    with time_machine.travel(NOON, tick=False):
        assert len(Worker(jobs=[job], name="a:1:x").tick()) == 1
        assert Worker(jobs=[job], name="a:2:y").tick() == []  # a second worker on host-a
        settings.HOST_KEY = "host-b"
        assert len(Worker(jobs=[job], name="b:1:z").tick()) == 1
    assert sorted(JobRun.objects.values_list("scope", flat=True)) == ["host-a", "host-b"]


def test_a_failed_job_is_retried_with_backoff_and_its_error_kept(registered: Any) -> None:
    calls: list[str] = []
    job = registered(counting_job("flaky", calls, fail=2))
    worker = Worker(jobs=[job], name="a:1:x")
    with time_machine.travel(NOON, tick=False):
        assert [o.ok for o in worker.tick()] == [False]
    run = JobRun.objects.get(job="flaky")
    assert (run.state, run.attempts, run.error) == ("failed", 1, "failure number 1")
    assert run.next_attempt_at == NOON + timedelta(seconds=60)
    with time_machine.travel(NOON + timedelta(seconds=59), tick=False):
        assert worker.tick() == []  # still backing off
    with time_machine.travel(NOON + timedelta(seconds=61), tick=False):
        assert [o.ok for o in worker.tick()] == [False]
    run.refresh_from_db()
    assert run.next_attempt_at == NOON + timedelta(seconds=61 + 120)  # twice as long
    with time_machine.travel(NOON + timedelta(seconds=200), tick=False):
        assert [o.ok for o in worker.tick()] == [True]
    run.refresh_from_db()
    assert (run.state, run.attempts, run.result) == ("done", 3, "run 3")
    assert run.error == "failure number 2"  # the last error is kept for `worker status`


def test_a_job_whose_worker_died_is_taken_over_once_its_lease_lapses(registered: Any) -> None:
    calls: list[str] = []
    job = registered(counting_job("long", calls))
    with time_machine.travel(NOON, tick=False):
        run = JobRun.objects.create(job="long", due_at=NOON, label="2026-12-01 12:00",
                                    state="running", attempts=1, claimed_by="elsewhere:99:dead",
                                    lease_until=NOON + timedelta(seconds=60))  # fmt: skip
        assert Worker(jobs=[job], name="a:1:x").tick() == []  # its lease still holds
    with time_machine.travel(NOON + timedelta(seconds=61), tick=False):
        assert [o.ok for o in Worker(jobs=[job], name="a:1:x").tick()] == [True]
    run.refresh_from_db()
    assert (run.state, run.attempts, calls) == ("done", 2, ["2026-12-01 12:00"])


def test_missed_digest_editions_are_sent_once_and_older_ones_skipped_with_a_log_line(
    smtp: SmtpServer, subscribe_confirmed: Any, caplog: Any
) -> None:
    for day in range(20, 31):
        feature(make_paper(f"2611.{day:05d}", published=date(2026, 11, day)), date(2026, 11, day))
    subscribe_confirmed("reader@example.org")
    worker = Worker(jobs=[JOBS["digest_daily"]], name="a:1:x")
    with time_machine.travel(datetime(2026, 11, 24, 7, 5, tzinfo=UTC), tick=False):
        assert [o.label for o in worker.tick()] == ["2026-11-22", "2026-11-23"]
    # Down from the 24th to the 30th, 09:00: the runs due at 07:00 on the 29th and 30th (the
    # editions of the 28th and 29th) are at most two days late; the four before are skipped.
    later = datetime(2026, 11, 30, 9, tzinfo=UTC)
    with time_machine.travel(later, tick=False), caplog.at_level(logging.WARNING, "paperfeed"):
        ran = worker.tick()
        assert worker.tick() == []  # nothing twice
    assert [o.label for o in ran] == ["2026-11-28", "2026-11-29"]
    assert [r.getMessage() for r in caplog.records] == [
        "digest_daily: skipped 4 missed run(s) (2026-11-24 to 2026-11-27): more than "
        "PAPERFEED_DIGEST_CATCHUP_DAYS=2 days late"
    ]
    sent = sorted(Edition.objects.values_list("slug", flat=True))
    assert sent == ["2026-11-22", "2026-11-23", "2026-11-28", "2026-11-29"]
    assert Delivery.objects.filter(state="sent").count() == 4
    assert smtp.mailbox.copies() == {"reader@example.org": 4}


def harvest_pages(server: ReplayServer) -> None:
    server.add("/oai", None, Reply(200, OAI_LIST), Reply(200, LAST_PAGE))


@pytest.fixture
def arxiv(replay_server: ReplayServer, settings: Any) -> ReplayServer:
    settings.ARXIV_OAI_URL = f"{replay_server.url}/oai"
    settings.HARVEST_FORMAT = "arXivRaw"
    settings.ARXIV_SETS = ["cs"]
    return replay_server


def test_a_first_harvest_starts_at_the_latest_announcement_and_later_ones_cover_the_gap(
    arxiv: ReplayServer, settings: Any
) -> None:
    worker = Worker(jobs=[JOBS["harvest"]], name="a:1:x")
    harvest_pages(arxiv)
    # Thursday 3 December, 10:00 New York: the latest announcement was Wednesday evening.
    with time_machine.travel(datetime(2026, 12, 3, 15, tzinfo=UTC), tick=False):
        assert [o.ok for o in worker.tick()] == [True]
    assert arxiv.requests[0].query["from"] == "2026-12-02"
    stored = Paper.objects.count()
    assert stored > 0
    # Down until Tuesday 8 December, 21:00 New York: one harvest covers Thursday to Tuesday.
    harvest_pages(arxiv)
    with time_machine.travel(datetime(2026, 12, 9, 2, tzinfo=UTC), tick=False):
        assert [o.label for o in worker.tick()] == ["2026-12-08 20:30"]
        assert worker.tick() == []
    assert [r.query.get("from") for r in arxiv.requests if "from" in r.query] == [
        "2026-12-02", "2026-12-03"
    ]  # fmt: skip
    assert Paper.objects.count() == stored  # the same records again: nothing stored twice


def test_arxiv_answering_503_is_retried_later_in_one_log_line_and_the_schedule_goes_on(
    arxiv: ReplayServer, settings: Any, caplog: Any, registered: Any
) -> None:
    settings.JOB_RETRY_SECONDS = 600
    unavailable = Reply(503, "down for maintenance", {"Retry-After": "0"})
    arxiv.add("/oai", None, *[unavailable] * 6)
    calls: list[str] = []
    other = registered(counting_job("hourly", calls))
    worker = Worker(jobs=[JOBS["harvest"], other], name="a:1:x")
    with time_machine.travel(datetime(2026, 12, 3, 15, tzinfo=UTC)), caplog.at_level(30):
        outcomes = worker.tick()
    assert [(o.job, o.ok) for o in outcomes] == [("harvest", False), ("hourly", True)]
    lines = [r.getMessage() for r in caplog.records if r.name == "paperfeed.worker"]
    assert len(lines) == 1 and "503" in lines[0] and "next attempt at" in lines[0]
    assert not [r for r in caplog.records if r.exc_info]  # no traceback
    run = JobRun.objects.get(job="harvest")
    assert run.state == "failed" and "503" in run.error
    harvest_pages(arxiv)
    with time_machine.travel(datetime(2026, 12, 3, 15, 11, tzinfo=UTC), tick=False):
        assert [(o.job, o.ok) for o in worker.tick()] == [("harvest", True)]
    assert Paper.objects.exists()


def test_an_unknown_job_name_is_a_clear_error_at_start() -> None:
    with pytest.raises(CommandError, match="unknown job 'harvset': the jobs are harvest, "):
        call_command("worker", "--once", "--job", "harvset")


def test_status_lists_every_job_with_its_last_and_next_run(registered: Any, capsys: Any) -> None:
    calls: list[str] = []
    job = registered(counting_job("flaky", calls, fail=1))
    with time_machine.travel(NOON, tick=False):
        Worker(jobs=[job], name="a:1:x").tick()
        call_command("worker", "status")
    out = capsys.readouterr().out
    for name in ("harvest", "embed", "index@host-a", "digest_daily", "digest_weekly"):
        assert name in out
    line = next(line for line in out.splitlines() if line.startswith("flaky"))
    assert "failed" in line and "2026-12-01 13:00" in line and "failure number 1" in line


def test_the_admin_shows_every_job_and_its_runs(registered: Any, client: Any) -> None:
    from django.contrib.auth.models import User

    calls: list[str] = []
    job = registered(counting_job("flaky", calls, fail=1))
    Worker(jobs=[job], name="a:1:x").tick()
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/admin/ops/jobrun/").content.decode()
    assert "digest_weekly" in page and "No worker is running" in page
    assert page.count("failure number 1") == 2  # the jobs table and the list of runs
