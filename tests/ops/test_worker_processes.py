"""Real `paperfeed worker` processes on one database: two at once through three simulated days
(the clock pinned with PAPERFEED_NOW), and workers killed with SIGKILL mid-harvest and
mid-digest. Whatever happens, each job runs once per slot, nothing stored is lost or doubled,
and no email is sent twice."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.digests.smtp import Mailbox, SmtpServer
from tests.ops.site import CLI, Site, rows, seed
from tests.support import fixture_path
from tests.support.replay import ReplayServer, Reply

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

OAI_LIST = fixture_path("oai-pmh/arxivraw/ListRecordsResponse.xml").read_text()
TOKEN = re.search(r"<resumptionToken[^>]*>([^<]+)<", OAI_LIST).group(1)  # type: ignore[union-attr]
LAST_PAGE = re.sub(r"<resumptionToken[^>]*>[^<]+</resumptionToken>", "", OAI_LIST)
PAGE_IDS = set(re.findall(r"<id>([^<]+)</id>", OAI_LIST))


@pytest.fixture
def site(tmp_path: Path, replay_server: ReplayServer) -> Iterator[Site]:
    made = Site(
        tmp_path / "home",
        PAPERFEED_ARXIV_OAI_URL=f"{replay_server.url}/oai",
        PAPERFEED_HARVEST_FORMAT="arXivRaw",
        PAPERFEED_ARXIV_SETS="cs",
        PAPERFEED_WORKER_JOBS="harvest,digest_daily,digest_weekly",
        PAPERFEED_JOB_LEASE_SECONDS="5",
        PAPERFEED_TIME_ZONE="UTC",
        PAPERFEED_SITE_URL="http://testserver",
    )
    yield made
    made.close()


def once(site: Site, now: datetime, **env: str) -> subprocess.Popen[str]:
    return site.popen("worker", "--once", PAPERFEED_NOW=now.isoformat(), **env)


def test_two_workers_through_three_days_run_every_job_once_per_slot(
    site: Site, replay_server: ReplayServer
) -> None:
    with SmtpServer(Mailbox()) as smtp:
        seed(site, readers=8)
        smtp_url = f"smtp://127.0.0.1:{smtp.port}"
        # Sunday 29 November to Tuesday 1 December 2026: each morning after the digest hour
        # and each evening after arXiv's announcement (20:30 New York is 01:30 UTC).
        points = []
        for day in (29, 30, 31):
            morning = datetime(2026, 11, 29, 7, 5, tzinfo=UTC) + timedelta(days=day - 29)
            points += [morning, morning + timedelta(hours=18, minutes=30)]
        for _ in range(4):  # the harvest slots: Thu 26 Nov (the latest at the start), 29, 30, 1
            replay_server.add("/oai", None, Reply(200, OAI_LIST), Reply(200, LAST_PAGE))
        for now in points:
            pair = [once(site, now, PAPERFEED_SMTP_URL=smtp_url) for _ in range(2)]
            for worker in pair:
                out, _ = worker.communicate(timeout=180)
                assert worker.returncode == 0, out
        runs = rows(site, "list(__import__('paperfeed.ops.models', fromlist=['x']).JobRun"
                          ".objects.order_by('job', 'due_at')"
                          ".values_list('job', 'label', 'state', 'attempts'))")  # fmt: skip
        assert [(job, label) for job, label, _, _ in runs] == [
            ("digest_daily", "2026-11-27"), ("digest_daily", "2026-11-28"),
            ("digest_daily", "2026-11-29"), ("digest_daily", "2026-11-30"),
            ("digest_weekly", "2026-W48"),
            ("harvest", "2026-11-26 20:30"), ("harvest", "2026-11-29 20:30"),
            ("harvest", "2026-11-30 20:30"), ("harvest", "2026-12-01 20:30"),
        ]  # fmt: skip
        assert {(state, attempts) for _, _, state, attempts in runs} == {("done", 1)}
        listings = [r for r in replay_server.requests if r.query.get("verb") == "ListRecords"]
        assert len(listings) == 8 and not replay_server.unmatched  # 4 harvests of 2 pages
        daily = [f"reader{n:02d}@example.org" for n in range(8) if n % 4]
        weekly = [f"reader{n:02d}@example.org" for n in range(8) if not n % 4]
        assert smtp.mailbox.copies() == {**{a: 4 for a in daily}, **{a: 1 for a in weekly}}
        assert rows(site, "__import__('paperfeed.papers.models', fromlist=['x']).Paper.objects"
                          ".filter(arxiv_id__startswith='2611.').count()") == 11  # fmt: skip


def wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_a_worker_killed_mid_harvest_is_taken_over_and_nothing_is_stored_twice(
    site: Site, replay_server: ReplayServer
) -> None:
    now = datetime(2026, 12, 3, 15, tzinfo=UTC)
    replay_server.add("/oai", None, Reply(200, OAI_LIST), Reply(200, LAST_PAGE, delay=60))
    worker = site.popen("worker", "--job", "harvest", PAPERFEED_NOW=now.isoformat())
    try:
        wait_for(lambda: len(replay_server.requests) >= 2, timeout=60)  # stalled on page 2
        time.sleep(0.5)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            worker.kill()
    count = "__import__('paperfeed.papers.models', fromlist=['x']).Paper.objects.count()"
    first_page = rows(site, count)
    assert first_page > 0  # committed with the page's resumption token
    replay_server.add("/oai", {"verb": "ListRecords", "resumptionToken": TOKEN},
                      Reply(200, LAST_PAGE))  # fmt: skip
    # The same host sees that the process holding the run is gone and takes it over at once.
    done = site.run("worker", "--once", "--job", "harvest", PAPERFEED_NOW=now.isoformat())
    assert "harvest 2026-12-02 20:30: ok" in done.stdout
    assert replay_server.requests[-1].query == {"verb": "ListRecords", "resumptionToken": TOKEN}
    run = rows(site, "__import__('paperfeed.ops.models', fromlist=['x']).JobRun.objects"
                     ".values_list('state', 'attempts').get()")  # fmt: skip
    assert run == ("done", 2)
    assert rows(site, count) == first_page  # the last page repeats the first: no duplicates
    stored = rows(site, "set(__import__('paperfeed.papers.models', fromlist=['x']).Paper"
                        ".objects.values_list('arxiv_id', flat=True))")  # fmt: skip
    assert stored == {re.sub(r"^oai:arXiv.org:", "", i) for i in PAGE_IDS}


def test_a_worker_killed_mid_digest_finishes_on_restart_and_sends_no_email_twice(
    site: Site,
) -> None:
    seed(site, readers=20)
    holder: dict[str, subprocess.Popen[str]] = {}

    def kill_on_9th(count: int) -> str | None:
        if count == 9:
            os.kill(holder["worker"].pid, signal.SIGKILL)
            holder["worker"].wait()
            return "421 4.3.2 shutting down"
        return None

    now = datetime(2026, 11, 28, 7, 5, tzinfo=UTC)
    with SmtpServer(Mailbox(on_data=kill_on_9th)) as smtp:
        env = {"PAPERFEED_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
               "PAPERFEED_NOW": now.isoformat(), "PAPERFEED_DIGEST_CATCHUP_DAYS": "1"}  # fmt: skip
        holder["worker"] = site.popen("worker", "--job", "digest_daily", **env)
        try:
            with contextlib.suppress(subprocess.TimeoutExpired):
                holder["worker"].wait(timeout=90)
        finally:
            holder["worker"].kill()  # never left running when the test fails
        assert holder["worker"].returncode == -signal.SIGKILL
        assert len(smtp.mailbox.received) == 8
        done = site.run("worker", "--once", "--job", "digest_daily", **env)
        assert "digest_daily 2026-11-27: ok" in done.stdout
        readers = [f"reader{n:02d}@example.org" for n in range(20) if n % 4]
        assert smtp.mailbox.copies() == {address: 1 for address in readers}
    status = json.loads(site.run("worker", "status", "--json").stdout)
    daily = next(row for row in status if row["job"] == "digest_daily")
    assert (daily["state"], daily["attempts"]) == ("done", 2)


@pytest.mark.skipif(
    not Path("/proc/sys/kernel/sched_autogroup_enabled").exists(), reason="Linux autogroups only"
)
@pytest.mark.parametrize("own_session", [True, False])
def test_the_worker_runs_below_the_web_server_even_in_a_session_of_its_own(
    site: Site, own_session: bool
) -> None:
    """A service manager starts the worker as the leader of its own session, where niceness
    alone weighs against nothing; the worker then lowers its session's priority too. Started
    beside `serve` in one session (`make run`), it leaves the session's priority alone."""
    worker = subprocess.Popen(
        [*CLI, "worker", "--job", "housekeeping"], env={**site.env, "PAPERFEED_WORKER_NICE": "7"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=own_session,
    )  # fmt: skip
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().startswith("paperfeed worker ")  # running
        stat = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
        autogroup = Path(f"/proc/{worker.pid}/autogroup").read_text()
        mine = Path("/proc/self/autogroup").read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert int(stat[16]) == 7  # the process's own niceness, either way
    if own_session:
        assert autogroup != mine and autogroup.split()[-1] == "7"
    else:
        assert autogroup == mine  # the session it shares with the server is untouched
