"""A small client for GitHub's REST API: one repository's metadata, politely and cheaply.

It sends the ETag it was given as `If-None-Match` (GitHub answers 304 and does not count the
request), follows a renamed repository's 301, and stops as soon as GitHub says it is rate-limited:
the caller is a scheduled job, which should come back after `GitHubRateLimited.until` rather
than sleep through an hour's limit. Server errors and network failures get a couple of retries.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Self, TypeVar

import httpx

from paperfeed.lib.http import USER_AGENT, backoff_seconds, retry_after_seconds
from paperfeed.lib.records import SourceError

logger = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
MAX_REDIRECTS = 3
DEFAULT_WAIT = timedelta(seconds=60)  # GitHub's advice when a limit names no time to come back

# Owners: letters, digits and single hyphens, up to 39 characters (older accounts may hold
# a doubled or trailing hyphen, so only the first character is restricted). Repositories:
# letters, digits, ".", "-" and "_", up to 100 characters.
_FULL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")
_GONE = {404, 410, 451}
T = TypeVar("T")
_REDIRECTS = {301, 302, 307, 308}


@dataclass(frozen=True)
class RepoInfo:
    full_name: str  # "owner/name" as GitHub says now (after a rename, the new one)
    html_url: str
    stars: int
    forks: int
    language: str  # "" when none
    license: str  # SPDX id, or the licence's name when GitHub says NOASSERTION; "" when none
    pushed_at: datetime | None  # aware UTC
    archived: bool
    description: str


@dataclass(frozen=True)
class RepoResult:
    status: str  # "ok" (200), "not_modified" (304), "gone" (404, 410 or 451)
    info: RepoInfo | None  # for "ok"
    etag: str  # the ETag to send next time ("" if none); for not_modified, the one sent
    moved_from: str = ""  # the "owner/name" asked for when a redirect was followed


class GitHubRateLimited(SourceError):
    """GitHub asked us to stop; do not ask again before `until` (aware UTC)."""

    def __init__(self, until: datetime, detail: str = "") -> None:
        self.until = until
        message = f"GitHub rate limit reached; try again after {until.isoformat()}"
        super().__init__(f"{message} ({detail})" if detail else message)


def check_full_name(full_name: str) -> str:
    """`full_name` when it is a plausible "owner/name"; ValueError otherwise."""
    if not isinstance(full_name, str) or not _FULL_NAME.fullmatch(full_name):
        raise ValueError(f"not a GitHub repository name (owner/name): {full_name!r}")
    if full_name.split("/")[1] in {".", ".."}:
        raise ValueError(f"not a GitHub repository name (owner/name): {full_name!r}")
    return full_name


def _utcnow() -> datetime:
    return datetime.now(UTC)


class GitHubClient:
    """GET /repos/{owner}/{name}, with conditional requests, renames and rate limits handled.

    `sleep` (seconds) and `clock` (an aware datetime) are injectable so that tests never wait.
    """

    def __init__(
        self,
        *,
        base_url: str = "https://api.github.com",
        token: str = "",
        timeout: float = 20.0,
        max_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": USER_AGENT,
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = httpx.URL(base_url.rstrip("/"))
        self.max_retries = max_retries
        self.sleep = sleep
        self.clock = clock
        # Redirects are followed by hand: to learn the rename, and to keep every request (and
        # so the token) on base_url's host whatever a Location header says.
        self.client = httpx.Client(timeout=timeout, headers=headers, follow_redirects=False)
        self._remaining: int | None = None
        self._reset: datetime | None = None
        self._blocked_until: datetime | None = None

    @property
    def remaining(self) -> int | None:
        """The last X-RateLimit-Remaining GitHub sent (None before any)."""
        return self._remaining

    def repo(self, full_name: str, *, etag: str = "") -> RepoResult:
        """The repository's metadata, or "not_modified" when `etag` still matches, or "gone".

        Raises GitHubRateLimited (without a request while a known limit lasts), SourceError when
        GitHub keeps failing or refuses for another reason, ValueError for a malformed name.
        """
        check_full_name(full_name)
        self._refuse_while_limited()
        response = self._get(self._url(f"/repos/{full_name}"), etag=etag, asked=full_name)
        moved_from = ""
        hops = 0
        while response.status_code in _REDIRECTS:
            location = response.headers.get("Location", "")
            if not location or hops == MAX_REDIRECTS:
                raise SourceError(f"GitHub redirected {full_name} too often or without a Location")
            # No If-None-Match here: the caller's ETag belongs to the old name, and a 304 would
            # hide the new name it needs to learn.
            response = self._get(self._url(httpx.URL(location)), etag="", asked=full_name)
            moved_from = full_name
            hops += 1
        return self._result(full_name, response, etag, moved_from)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _url(self, path: str | httpx.URL) -> httpx.URL:
        """`path` on base_url; an absolute Location keeps its path but not its host."""
        if isinstance(path, httpx.URL):
            query = path.query or None
            return self.base_url.copy_with(path=path.path, query=query)
        return self.base_url.copy_with(path=self.base_url.path.rstrip("/") + path)

    def _refuse_while_limited(self) -> None:
        now = self.clock()
        if self._blocked_until is not None and now < self._blocked_until:
            raise GitHubRateLimited(self._blocked_until)
        if self._remaining == 0 and self._reset is not None and now < self._reset:
            raise GitHubRateLimited(self._reset, "no requests left until the reset")

    def _get(self, url: httpx.URL, *, etag: str, asked: str) -> httpx.Response:
        """The first answer that is not a 5xx; GitHubRateLimited for a rate-limit refusal."""
        headers = {"If-None-Match": etag} if etag else {}
        for attempt in range(self.max_retries + 1):
            last_try = attempt == self.max_retries
            try:
                response = self.client.get(url, headers=headers)
            except httpx.TransportError as exc:
                failure = f"could not reach {url}: {exc.__class__.__name__} {exc}".rstrip()
                if last_try:
                    raise SourceError(self._give_up(failure)) from exc
                self._pause(failure, backoff_seconds(attempt))
                continue
            self._note_rate_limit(response.headers)
            if response.status_code in (403, 429):
                self._raise_if_limited(response)
            if response.status_code < 500:
                return response
            failure = f"GitHub answered HTTP {response.status_code} for {asked}"
            if last_try:
                raise SourceError(self._give_up(failure))
            hinted = retry_after_seconds(response.headers.get("Retry-After"), now=self.clock())
            self._pause(failure, backoff_seconds(attempt) if hinted is None else hinted)
        raise AssertionError("unreachable: the loop returns or raises")

    def _give_up(self, failure: str) -> str:
        return f"{failure} (gave up after {self.max_retries + 1} attempts; try again later)"

    def _pause(self, reason: str, seconds: float) -> None:
        logger.warning("%s; retrying in %.1f s", reason, seconds)
        if seconds > 0:
            self.sleep(seconds)

    def _note_rate_limit(self, headers: httpx.Headers) -> None:
        remaining = _header_int(headers, "X-RateLimit-Remaining")
        if remaining is not None:
            self._remaining = remaining
            reset = _header_int(headers, "X-RateLimit-Reset")
            self._reset = None if reset is None else datetime.fromtimestamp(reset, UTC)

    def _raise_if_limited(self, response: httpx.Response) -> None:
        """Raise GitHubRateLimited when a 403 or 429 is a rate limit (GitHub's documented order).

        A 403 that names no limit (no access, a blocked repository) is left to the caller.
        """
        now = self.clock()
        message = _message(response)
        wait = _retry_after(response.headers.get("Retry-After"), now=now)
        if wait is not None:
            until = now + wait
        elif response.headers.get("X-RateLimit-Remaining", "").strip() == "0":
            # _note_rate_limit has just read this response's reset, if it sent one.
            reset = self._reset
            until = reset if reset is not None and reset > now else now + DEFAULT_WAIT
        elif response.status_code == 429 or re.search(r"rate limit|abuse", message, re.I):
            until = now + DEFAULT_WAIT
        else:
            return
        self._blocked_until = until
        raise GitHubRateLimited(until, message)

    def _result(
        self, full_name: str, response: httpx.Response, etag: str, moved_from: str
    ) -> RepoResult:
        status = response.status_code
        if status == 304:
            return RepoResult("not_modified", None, etag, moved_from)
        if status in _GONE:
            return RepoResult("gone", None, "", moved_from)
        if status != 200:
            detail = _message(response) or response.reason_phrase
            raise SourceError(f"GitHub answered HTTP {status} for {full_name}: {detail}")
        try:
            data = response.json()
        except ValueError as exc:
            raise SourceError(f"GitHub sent a body that is not JSON for {full_name}") from exc
        info = parse_repo(data, where=full_name)
        return RepoResult("ok", info, response.headers.get("ETag", ""), moved_from)


def parse_repo(data: Any, *, where: str = "the repository") -> RepoInfo:
    """A RepoInfo from GitHub's repository JSON; SourceError when a field has the wrong type."""
    if not isinstance(data, dict):
        raise SourceError(f"GitHub's answer for {where} is not a JSON object")
    licence = data.get("license")
    if licence is not None and not isinstance(licence, dict):
        raise SourceError(f"GitHub's answer for {where} has a malformed license")
    return RepoInfo(
        full_name=_field(data, "full_name", str, where),
        html_url=_field(data, "html_url", str, where),
        stars=_field(data, "stargazers_count", int, where),
        forks=_field(data, "forks_count", int, where),
        language=_field(data, "language", str, where, optional=True),
        license=_licence(licence or {}, where),
        pushed_at=_timestamp(_field(data, "pushed_at", str, where, optional=True), where),
        archived=_field(data, "archived", bool, where),
        description=_field(data, "description", str, where, optional=True),
    )


def _field(
    data: Mapping[str, Any], name: str, kind: type[T], where: str, *, optional: bool = False
) -> T:
    value = data.get(name)
    if value is None and optional:
        return kind()
    # bool is an int in Python; a count of True is still a malformed answer.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SourceError(f"GitHub's answer for {where} has no valid {name!r}: {value!r}")
    return value


def _licence(licence: Mapping[str, Any], where: str) -> str:
    spdx = _field(licence, "spdx_id", str, where, optional=True)
    if spdx and spdx != "NOASSERTION":
        return spdx
    return _field(licence, "name", str, where, optional=True)


def _timestamp(text: str, where: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SourceError(f"GitHub's answer for {where} has a bad timestamp {text!r}") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _header_int(headers: httpx.Headers, name: str) -> int | None:
    text = headers.get(name, "").strip()
    return int(text) if text.isdigit() else None


def _retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """Retry-After as a wait, uncapped (GitHub means it), in seconds or as an HTTP date."""
    text = (value or "").strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return max(when - now, timedelta(0))


def _message(response: httpx.Response) -> str:
    """GitHub's `message` from an error body, or "" when there is none."""
    try:
        data = response.json()
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, str) else ""
