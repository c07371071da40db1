"""GitHubClient against real GitHub responses replayed on loopback.

The recordings live in the shared data folder (fixtures/github/, taken from PyGithub's test
suite; its README says which exchange each one is). Each is served as recorded: status, headers
and body. Where a test needs an answer GitHub was never recorded giving, it derives one from a
real recording and says so beside it.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from paperfeed.lib.github import GitHubClient, GitHubRateLimited, RepoInfo, RepoResult
from paperfeed.lib.http import USER_AGENT
from paperfeed.lib.records import SourceError
from tests.support import SHARED_DATA, FakeTime, utc
from tests.support.replay import ReplayServer, Reply

GITHUB = SHARED_DATA / "fixtures" / "github"
NOW = utc(2025, 1, 7, 7, 40)
# Hop-by-hop and encoding headers describe the recorded transfer, not this one: the recorded
# bodies are already decoded, and the replay server sets its own Content-Length.
TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}


class Clock:
    """An aware UTC clock that moves only when a test moves it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GITHUB / f"{name}.json").read_text())
    return data


def reply(exchange: dict[str, Any], **headers: str) -> Reply:
    """The recorded answer as a Reply; `headers` (underscores for hyphens) add or replace."""
    sent = {k: v for k, v in exchange["headers"].items() if k.lower() not in TRANSFER_HEADERS}
    for name, value in headers.items():
        name = name.replace("_", "-")
        sent = {k: v for k, v in sent.items() if k.lower() != name.lower()} | {name: value}
    body = b"" if exchange["body"] is None else json.dumps(exchange["body"]).encode()
    return Reply(exchange["status"], body, sent)


def serve(replay: ReplayServer, name: str, *, path: str = "", **headers: str) -> dict[str, Any]:
    """Queue recording `name` on its recorded path (or `path`); returns the recording."""
    exchange = recorded(name)
    replay.add(path or exchange["request"]["path"], None, reply(exchange, **headers))
    return exchange


def make_client(
    replay: ReplayServer, fake_time: FakeTime, clock: Clock | None = None, token: str = ""
) -> GitHubClient:
    return GitHubClient(
        base_url=replay.url, token=token, sleep=fake_time.sleep, clock=clock or Clock()
    )


# Reading a repository


def test_it_reads_a_recorded_repository(replay: ReplayServer, fake_time: FakeTime) -> None:
    serve(replay, "repo-200")
    with make_client(replay, fake_time) as client:
        result = client.repo("PyGithub/PyGithub")
        assert client.remaining == 4999
    assert result == RepoResult(
        status="ok",
        info=RepoInfo(
            full_name="PyGithub/PyGithub",
            html_url="https://github.com/PyGithub/PyGithub",
            stars=7122,
            forks=1793,
            language="Python",
            license="LGPL-3.0",
            pushed_at=utc(2024, 12, 19, 12, 1, 11),
            archived=False,
            description="Typed interactions with the GitHub API v3",
        ),
        etag='W/"37ea58577585c38f93634ef43114c657de2581286eb6976ec18c274de296eff0"',
    )
    assert result.info is not None and result.info.pushed_at is not None
    assert result.info.pushed_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("name", "full_name", "language", "licence", "stars", "forks", "description"),
    [
        ("repo-200-javascript-mit", "twbs/bootstrap", "JavaScript", "MIT", 171281, 78987, "The"),
        ("repo-200-rust-mit-unauthenticated", "stellarcarbon/sorocarbon", "Rust", "MIT", 1, 2, "H"),
        # "license": null and "description": null in the recording
        ("repo-200-java-no-license", "JLLeitschuh/code-sandbox", "Java", "", 0, 0, ""),
    ],
)
def test_it_reads_language_licence_and_counts(
    replay: ReplayServer,
    fake_time: FakeTime,
    name: str,
    full_name: str,
    language: str,
    licence: str,
    stars: int,
    forks: int,
    description: str,
) -> None:
    serve(replay, name)
    with make_client(replay, fake_time) as client:
        info = client.repo(full_name).info
    assert info is not None
    assert (info.full_name, info.language, info.license) == (full_name, language, licence)
    assert (info.stars, info.forks, info.archived) == (stars, forks, False)
    assert info.description.startswith(description) and bool(info.description) == bool(description)


def test_it_reads_an_archived_repository(replay: ReplayServer, fake_time: FakeTime) -> None:
    # Derived: no archived repository was recorded, so this is the real repo-200 answer with
    # "archived" set to true.
    exchange = recorded("repo-200")
    exchange["body"]["archived"] = True
    replay.add("/repos/PyGithub/PyGithub", None, reply(exchange))
    with make_client(replay, fake_time) as client:
        info = client.repo("PyGithub/PyGithub").info
    assert info is not None and info.archived is True and info.stars == 7122


# What the client sends


def test_it_sends_githubs_headers_and_no_authorization_without_a_token(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    serve(replay, "repo-200-rust-mit-unauthenticated")
    with make_client(replay, fake_time) as client:
        client.repo("stellarcarbon/sorocarbon")
    [seen] = replay.requests
    assert seen.headers["accept"] == "application/vnd.github+json"
    assert seen.headers["x-github-api-version"] == "2022-11-28"
    assert seen.headers["user-agent"] == USER_AGENT
    assert "authorization" not in seen.headers and "if-none-match" not in seen.headers


def test_it_sends_a_token_as_a_bearer_authorization(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    serve(replay, "repo-200")
    with make_client(replay, fake_time, token="ghp_example") as client:
        client.repo("PyGithub/PyGithub")
    assert replay.requests[0].headers["authorization"] == "Bearer ghp_example"


# Conditional requests


def test_it_sends_the_etag_back_and_reports_not_modified(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    serve(replay, "repo-200-etag")
    serve(replay, "repo-304-not-modified")
    with make_client(replay, fake_time) as client:
        first = client.repo("AndrewJDawes/PyGithub")
        second = client.repo("AndrewJDawes/PyGithub", etag=first.etag)
        assert client.remaining == 4755
    etag = 'W/"68ec45d743bb1d53f805ddfd5ce767fe4c6f95f825f45853d143e7429d462251"'
    assert first.status == "ok" and first.etag == etag
    assert second == RepoResult(status="not_modified", info=None, etag=etag)
    assert "if-none-match" not in replay.requests[0].headers
    assert replay.requests[1].headers["if-none-match"] == etag


def test_it_reads_an_old_lower_case_304(replay: ReplayServer, fake_time: FakeTime) -> None:
    exchange = serve(replay, "repo-304-not-modified-2013")
    etag = exchange["request"]["headers"]["If-None-Match"]
    with make_client(replay, fake_time) as client:
        result = client.repo("akfish/PyGithub", etag=etag)
        assert client.remaining == 4988
    assert result == RepoResult(status="not_modified", info=None, etag=etag)
    assert replay.requests[0].headers["if-none-match"] == etag


# Renamed and missing repositories


def test_it_follows_a_rename_to_the_new_name(replay: ReplayServer, fake_time: FakeTime) -> None:
    # The recorded Location is https://api.github.com/repositories/146139403; the client asks
    # for that path on its own base URL, here the replay server.
    serve(replay, "repo-301-renamed")
    serve(replay, "repo-301-renamed-target-200")
    with make_client(replay, fake_time) as client:
        result = client.repo("ReDASers/Phishing-Detection", etag='W/"old"')
    assert result.status == "ok" and result.moved_from == "ReDASers/Phishing-Detection"
    assert result.info is not None and result.info.full_name == "ReDASers/PhishBench"
    assert result.info.license == "Other"  # spdx_id NOASSERTION: the licence's name
    assert result.etag.startswith('W/"1ce5870e')
    assert [r.path for r in replay.requests] == [
        "/repos/ReDASers/Phishing-Detection",
        "/repositories/146139403",
    ]
    # The old name's ETag says nothing about the new name's answer.
    assert replay.requests[0].headers["if-none-match"] == 'W/"old"'
    assert "if-none-match" not in replay.requests[1].headers


@pytest.mark.parametrize("status", [404, 410, 451])
def test_it_reports_a_missing_repository_as_gone(
    replay: ReplayServer, fake_time: FakeTime, status: int
) -> None:
    # 404 is the real recording; 410 and 451 are derived from it by changing the status.
    exchange = recorded("repo-404") | {"status": status}
    replay.add("/repos/random/vulnerability-alerts", None, reply(exchange))
    with make_client(replay, fake_time) as client:
        result = client.repo("random/vulnerability-alerts", etag='W/"x"')
        assert client.remaining == 4742
    assert result == RepoResult(status="gone", info=None, etag="")


# Rate limits (the recorded refusals were for other paths; they are served on /repos/...)


def test_it_stops_at_the_primary_limit_for_a_minute_without_a_reset(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    # The 2013 recording has x-ratelimit-remaining 0 and no reset header.
    serve(replay, "rate-limited-403", path="/repos/PyGithub/PyGithub")
    clock = Clock()
    with make_client(replay, fake_time, clock) as client:
        with pytest.raises(GitHubRateLimited, match="API Rate Limit Exceeded") as raised:
            client.repo("PyGithub/PyGithub")
        assert raised.value.until == NOW + timedelta(seconds=60) and client.remaining == 0
        clock.now = NOW + timedelta(seconds=59)
        with pytest.raises(GitHubRateLimited) as again:
            client.repo("twbs/bootstrap")
        assert again.value.until == raised.value.until
        assert len(replay.requests) == 1  # refused without asking

        clock.now = NOW + timedelta(seconds=60)
        serve(replay, "repo-200")
        assert client.repo("PyGithub/PyGithub").status == "ok"
    assert len(replay.requests) == 2 and fake_time.sleeps == []


def test_it_stops_at_the_primary_limit_until_the_reset(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    # Derived: the real primary 403 with the X-RateLimit-Reset header today's GitHub sends.
    reset = NOW + timedelta(minutes=25)
    serve(
        replay,
        "rate-limited-403",
        path="/repos/PyGithub/PyGithub",
        x_ratelimit_reset=str(int(reset.timestamp())),
    )
    clock = Clock()
    with make_client(replay, fake_time, clock) as client:
        with pytest.raises(GitHubRateLimited) as raised:
            client.repo("PyGithub/PyGithub")
        assert raised.value.until == reset
        clock.now = reset - timedelta(seconds=1)
        with pytest.raises(GitHubRateLimited):
            client.repo("PyGithub/PyGithub")
    assert len(replay.requests) == 1


def test_it_respects_a_secondary_limits_retry_after(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    serve(replay, "rate-limited-403-secondary-retry-after", path="/repos/PyGithub/PyGithub")
    with make_client(replay, fake_time) as client:
        with pytest.raises(GitHubRateLimited, match="abuse detection") as raised:
            client.repo("PyGithub/PyGithub")
        assert raised.value.until == NOW + timedelta(seconds=60)
        assert isinstance(raised.value, SourceError)
        with pytest.raises(GitHubRateLimited):
            client.repo("PyGithub/PyGithub")
    assert len(replay.requests) == 1 and fake_time.sleeps == []  # no sleeping through it


def test_it_treats_a_429_with_retry_after_as_a_limit(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    # Derived: no 429 was recorded; this is the real secondary 403 with its status set to 429.
    exchange = recorded("rate-limited-403-secondary-retry-after") | {"status": 429}
    replay.add("/repos/PyGithub/PyGithub", None, reply(exchange))
    with make_client(replay, fake_time) as client, pytest.raises(GitHubRateLimited) as raised:
        client.repo("PyGithub/PyGithub")
    assert raised.value.until == NOW + timedelta(seconds=60)
    assert len(replay.requests) == 1 and fake_time.sleeps == []


def test_it_stops_before_asking_when_no_requests_are_left(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    # Derived: the real repo-200 answer with X-RateLimit-Remaining 0 and a reset ahead.
    reset = NOW + timedelta(minutes=10)
    serve(
        replay,
        "repo-200",
        x_ratelimit_remaining="0",
        x_ratelimit_reset=str(int(reset.timestamp())),
    )
    clock = Clock()
    with make_client(replay, fake_time, clock) as client:
        assert client.repo("PyGithub/PyGithub").status == "ok"
        with pytest.raises(GitHubRateLimited) as raised:
            client.repo("twbs/bootstrap")
        assert raised.value.until == reset and len(replay.requests) == 1

        clock.now = reset
        serve(replay, "repo-200-javascript-mit")
        assert client.repo("twbs/bootstrap").status == "ok"
    assert len(replay.requests) == 2


# Failures


def test_it_retries_a_server_error(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/repos/PyGithub/PyGithub", None, Reply(502, '{"message": "Server Error"}'))
    serve(replay, "repo-200")
    with make_client(replay, fake_time) as client:
        result = client.repo("PyGithub/PyGithub")
    assert result.status == "ok" and len(replay.requests) == 2
    assert fake_time.sleeps == [2.0]


def test_it_gives_up_after_a_few_server_errors(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/repos/PyGithub/PyGithub", None, *[Reply(503, "")] * 3)
    with make_client(replay, fake_time) as client, pytest.raises(SourceError, match="HTTP 503"):
        client.repo("PyGithub/PyGithub")
    assert len(replay.requests) == 3 and fake_time.sleeps == [2.0, 4.0]


def test_it_gives_up_when_github_cannot_be_reached(fake_time: FakeTime) -> None:
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = GitHubClient(base_url=f"http://127.0.0.1:{port}", sleep=fake_time.sleep)
    with client, pytest.raises(SourceError, match="could not reach"):
        client.repo("PyGithub/PyGithub")
    assert fake_time.sleeps == [2.0, 4.0]


def test_it_reports_another_refusal_with_githubs_message(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    # Synthetic: GitHub's documented 401 body; no 401 was recorded.
    replay.add("/repos/PyGithub/PyGithub", None, Reply(401, '{"message": "Bad credentials"}'))
    client = make_client(replay, fake_time, token="expired")
    with client, pytest.raises(SourceError, match="HTTP 401.*Bad credentials") as raised:
        client.repo("PyGithub/PyGithub")
    assert not isinstance(raised.value, GitHubRateLimited) and len(replay.requests) == 1


@pytest.mark.parametrize(
    "name",
    [
        "",
        "PyGithub",
        "PyGithub/",
        "/PyGithub",
        "a/b/c",
        "owner/..",
        "owner/.",
        "-owner/name",
        "owner/na me",
        "owner/name?per_page=1",
        "owner/name#x",
        "o" * 40 + "/name",
        "owner/" + "n" * 101,
        "https://github.com/owner/name",
        " owner/name",
    ],
)
def test_it_refuses_a_malformed_name_before_asking(
    replay: ReplayServer, fake_time: FakeTime, name: str
) -> None:
    with make_client(replay, fake_time) as client, pytest.raises(ValueError):
        client.repo(name)
    assert replay.requests == []
