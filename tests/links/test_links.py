"""Links found as papers are stored, rebuilt by command, and GitHub's metadata of their
repositories refreshed from recorded real responses served on loopback."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from paperfeed.lib.github import GitHubClient
from paperfeed.links.models import PaperLink, Repository, StarCount
from paperfeed.links.selectors import code_badges, paper_links, star_history, stars_gained
from paperfeed.links.services import links_rebuild, repositories_due, repositories_refresh
from paperfeed.ops.jobs import jobs_selected
from paperfeed.papers.ingest import paper_upsert, papers_upsert_batch
from tests.papers.factories import record
from tests.support import SHARED_DATA
from tests.support.replay import ReplayServer, Reply

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
CODE = "Code is available at https://github.com/PyGithub/PyGithub."


def recording(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SHARED_DATA / "fixtures" / "github" / name).read_text())
    return data


def reply(name: str, **changes: Any) -> Reply:
    """A recorded GitHub answer, as recorded (`changes` edit its body, and say so at the use)."""
    data = recording(name)
    body = data["body"]
    if changes:
        body = {**body, **changes}
    skip = {"content-length", "transfer-encoding", "connection", "status", "content-encoding"}
    headers = {k: v for k, v in data["headers"].items() if k.lower() not in skip}
    return Reply(data["status"], json.dumps(body) if body is not None else b"", headers)


def paper_with(abstract: str, arxiv_id: str = "2611.00001", **fields: Any) -> int:
    paper, _ = paper_upsert(record=record(arxiv_id, abstract=abstract, **fields))
    return paper.pk


def test_a_stored_paper_gets_its_links_and_its_own_repository_at_once() -> None:
    pk = paper_with(
        "We propose a method. " + CODE + " Project page: https://pygithub.github.io/demo/.",
        comments="Models at https://huggingface.co/org/model-x; doi:10.1000/xyz123",
    )
    links = paper_links(pk)
    assert links.own is not None and links.own.name == "PyGithub/PyGithub"
    assert links.own.stars is None  # not asked GitHub yet
    assert links.projects == ["https://pygithub.github.io/demo"]
    assert [name for _, name in links.models] == ["org/model-x"]
    assert links.dois == ["https://doi.org/10.1000/xyz123"]
    assert Repository.objects.get().key == "pygithub/pygithub"
    assert {link.source for link in PaperLink.objects.all()} == {"abstract", "comments"}


def test_links_follow_the_text_and_a_reingest_that_changes_nothing_keeps_them() -> None:
    pk = paper_with(CODE)
    first = PaperLink.objects.get().pk
    paper_upsert(record=record("2611.00001", abstract=CODE))  # unchanged
    assert PaperLink.objects.get().pk == first
    paper_upsert(record=record("2611.00001", version=2, abstract="No code any more."))
    assert not PaperLink.objects.filter(paper_id=pk).exists()
    paper_upsert(
        record=record("2611.00001", version=3, abstract="Now: github.com/PyGithub/PyGithub.git")
    )
    assert PaperLink.objects.get(paper_id=pk).url == "https://github.com/PyGithub/PyGithub"
    assert Repository.objects.count() == 1  # the same repository, not a second row


def test_rebuild_finds_every_papers_links_again_and_the_command_reports_it() -> None:
    papers_upsert_batch(
        records=[
            record(f"2611.{n:05d}", abstract=f"Code: https://github.com/o/r{n}") for n in range(30)
        ]
    )
    PaperLink.objects.all().delete()
    assert links_rebuild(batch_size=7) == 30
    assert PaperLink.objects.filter(primary=True).count() == 30
    out = StringIO()
    call_command("links", "--rebuild", stdout=out)
    assert "links: 30 stored" in out.getvalue()
    assert "papers with their code: 30" in out.getvalue()
    assert PaperLink.objects.count() == 30  # replaced, not doubled


def refresh(server: ReplayServer, now: datetime = NOW, **kwargs: Any) -> Any:
    with GitHubClient(base_url=server.url, sleep=lambda _: None) as client:
        return repositories_refresh(client=client, now=now, **kwargs)


def test_refresh_stores_githubs_figures_and_a_days_star_count(
    replay_server: ReplayServer,
) -> None:
    pk = paper_with(CODE)
    replay_server.add("/repos/PyGithub/PyGithub", None, reply("repo-200.json"))
    summary = refresh(replay_server)
    assert (summary.checked, summary.changed) == (1, 1)
    body = recording("repo-200.json")["body"]
    repository = Repository.objects.get()
    assert repository.state == Repository.OK
    assert repository.stars == body["stargazers_count"]
    assert repository.language == body["language"]
    assert repository.license == body["license"]["spdx_id"]
    assert repository.etag
    assert star_history(repository.pk) == [(NOW.date(), body["stargazers_count"])]
    badge = code_badges([pk])[pk]
    assert (
        badge.stars == body["stargazers_count"]
        and badge.url == "https://github.com/PyGithub/PyGithub"
    )


def test_an_unchanged_repository_costs_a_304_and_still_counts_the_day(
    replay_server: ReplayServer,
) -> None:
    paper_with("Our code: https://github.com/AndrewJDawes/PyGithub")
    replay_server.add(
        "/repos/AndrewJDawes/PyGithub", None,
        reply("repo-200-etag.json"), reply("repo-304-not-modified.json"),
    )  # fmt: skip
    refresh(replay_server)
    assert not repositories_due(now=NOW + timedelta(hours=1)).exists()
    later = NOW + timedelta(days=8)
    summary = refresh(replay_server, now=later)
    assert summary.unchanged == 1
    etag = recording("repo-200-etag.json")["headers"]["ETag"]
    assert replay_server.requests[-1].headers["if-none-match"] == etag
    repository = Repository.objects.get()
    assert [day for day, _ in star_history(repository.pk)] == [NOW.date(), later.date()]
    assert repository.checked_at == later


def test_a_repository_gone_or_renamed_is_recorded(replay_server: ReplayServer) -> None:
    gone = paper_with("Code: https://github.com/random/vulnerability-alerts", "2611.00001")
    renamed = paper_with("Code: https://github.com/ReDASers/Phishing-Detection", "2611.00002")
    replay_server.add("/repos/random/vulnerability-alerts", None, reply("repo-404.json"))
    replay_server.add("/repos/ReDASers/Phishing-Detection", None, reply("repo-301-renamed.json"))
    replay_server.add("/repositories/146139403", None, reply("repo-301-renamed-target-200.json"))
    summary = refresh(replay_server)
    assert (summary.gone, summary.changed) == (1, 1)
    badges = code_badges([gone, renamed])
    assert badges[gone].gone and badges[gone].stars is None
    assert badges[renamed].name == "ReDASers/PhishBench"
    assert Repository.objects.get(key="redasers/phishbench").state == Repository.OK
    # Gone repositories are not asked about again.
    assert list(repositories_due(now=NOW + timedelta(days=30))) == [
        Repository.objects.get(key="redasers/phishbench")
    ]


def test_an_archived_repository_shows_as_archived(replay_server: ReplayServer) -> None:
    pk = paper_with("Code: https://github.com/twbs/bootstrap")
    # No recording of an archived repository exists: this is the real twbs/bootstrap 200 with
    # "archived" set to true.
    replay_server.add(
        "/repos/twbs/bootstrap", None, reply("repo-200-javascript-mit.json", archived=True)
    )
    refresh(replay_server)
    badge = code_badges([pk])[pk]
    assert badge.archived and badge.language == "JavaScript" and badge.license == "MIT"


def test_githubs_rate_limit_ends_the_run_and_the_rest_stays_due(
    replay_server: ReplayServer,
) -> None:
    for n, name in enumerate(["a/one", "b/two"]):
        paper_with(f"Code: https://github.com/{name}", f"2611.0000{n}")
    limited = recording("rate-limited-403-secondary-retry-after.json")
    replay_server.add(
        "/repos/a/one", None, Reply(403, json.dumps(limited["body"]), {"Retry-After": "60"})
    )
    summary = refresh(replay_server)
    assert summary.checked == 0 and "rate limit" in summary.stopped
    assert [r.path for r in replay_server.requests] == ["/repos/a/one"]  # b/two not asked
    assert repositories_due(now=NOW).count() == 2


def test_offline_the_links_still_show_and_the_command_says_why() -> None:
    pk = paper_with(CODE)
    with (
        override_settings(GITHUB_API_URL="http://127.0.0.1:9"),  # nothing listens on port 9
        pytest.raises(CommandError, match="GitHub could not be reached"),
    ):
        call_command("links", "--refresh", stdout=StringIO())
    assert code_badges([pk])[pk].name == "PyGithub/PyGithub"


def test_stars_gained_over_a_window() -> None:
    paper_with(CODE)
    repository = Repository.objects.get()
    for day, stars in [(date(2026, 11, 1), 10), (date(2026, 11, 20), 25), (date(2026, 11, 29), 70)]:
        StarCount.objects.create(repository=repository, day=day, stars=stars)
    # From the last count on or before the window's start to the latest count.
    assert stars_gained([repository.pk], since=date(2026, 11, 15)) == {repository.pk: 60}
    assert stars_gained([repository.pk], since=date(2026, 11, 20)) == {repository.pk: 45}
    # Nothing counted since: nothing to say.
    assert stars_gained([repository.pk], since=date(2026, 11, 29)) == {}
    # No count before the window: from its first count in it.
    assert stars_gained([repository.pk], since=date(2026, 10, 1)) == {repository.pk: 60}


def test_the_worker_has_a_repositories_job() -> None:
    (job,) = jobs_selected(["repositories"])
    assert not job.per_host
