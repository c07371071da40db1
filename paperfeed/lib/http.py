"""A polite HTTP GET for paperfeed's harvesters: a minimum gap between requests and retries.

arXiv asks API clients to wait a few seconds between requests and answers bursts with 429 or 503
(often with `Retry-After`); both clients in paperfeed share this one place that obeys it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import ClassVar, Self

import httpx

from paperfeed.lib.records import SourceError

logger = logging.getLogger(__name__)

USER_AGENT = "paperfeed/0.1 (self-hosted research-paper service; httpx)"
BACKOFF_BASE = 2.0  # seconds before the first retry; doubles on each further retry
BACKOFF_CAP = 120.0
RETRY_AFTER_CAP = 600.0  # a server asking for more than this is treated as asking for this

Params = Mapping[str, str | int]


def backoff_seconds(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (0-based) when the server gave no hint."""
    return float(min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a `Retry-After` header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), RETRY_AFTER_CAP)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


class PoliteClient:
    """GET with a minimum delay between requests and bounded retries on 429, 5xx and network errors.

    `sleep` and `clock` are injectable so that tests run without waiting.
    """

    def __init__(
        self,
        *,
        delay: float,
        max_retries: int,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        client: httpx.Client | None = None,
        error: type[SourceError] = SourceError,
    ) -> None:
        if delay < 0 or max_retries < 0:
            raise ValueError("delay and max_retries must not be negative")
        self.delay = delay
        self.max_retries = max_retries
        self.sleep = sleep
        self.clock = clock
        self.error = error
        self._owns_client = client is None
        self.client = client or httpx.Client(
            timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True
        )
        self._last_request_at: float | None = None

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def get(self, url: str, params: Params | None = None) -> httpx.Response:
        """The first response that is not worth retrying (2xx, or a 4xx other than 429).

        Raises `self.error` once `max_retries` retries have failed, naming the URL and the status.
        """
        for attempt in range(self.max_retries + 1):
            last_try = attempt == self.max_retries
            self._wait_for_turn()
            try:
                response = self.client.get(url, params=params)
            except httpx.TransportError as exc:
                where = httpx.URL(url, params=params)
                failure = f"could not reach {where}: {exc.__class__.__name__} {exc}".rstrip()
                if last_try:
                    raise self._give_up(failure) from exc
                self._pause(failure, backoff_seconds(attempt))
                continue
            # 429 and 5xx are arXiv's ways of saying "not now"; other answers are final.
            if response.status_code != 429 and response.status_code < 500:
                return response
            failure = f"{response.request.url} answered HTTP {response.status_code}"
            if last_try:
                raise self._give_up(failure)
            hinted = retry_after_seconds(response.headers.get("Retry-After"))
            self._pause(failure, backoff_seconds(attempt) if hinted is None else hinted)
        raise AssertionError("unreachable: the loop returns or raises")

    def pause_before_retry(self, reason: str, attempt: int) -> None:
        """Back off before retrying something the caller judged transient (e.g. an empty page)."""
        self._pause(reason, backoff_seconds(attempt))

    def _give_up(self, failure: str) -> SourceError:
        tries = self.max_retries + 1
        return self.error(f"{failure} (gave up after {tries} attempts; try again later)")

    def _pause(self, reason: str, seconds: float) -> None:
        logger.warning("%s; retrying in %.1f s", reason, seconds)
        if seconds > 0:
            self.sleep(seconds)

    def _wait_for_turn(self) -> None:
        # The gap is measured from the start of the previous request, as arXiv's rate limit is.
        if self._last_request_at is not None:
            remaining = self.delay - (self.clock() - self._last_request_at)
            if remaining > 0:
                self.sleep(remaining)
        self._last_request_at = self.clock()


class PoliteSource:
    """Base of paperfeed's harvesting clients: one PoliteClient, closed with the source.

    Subclasses name their endpoint, timeout and error class; tests pass a fake `sleep` and `clock`.
    """

    default_url: ClassVar[str] = ""
    default_timeout: ClassVar[float] = 30.0
    error: ClassVar[type[SourceError]] = SourceError

    def __init__(
        self,
        *,
        base_url: str | None = None,
        delay: float = 3.0,
        max_retries: int = 5,
        timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url or self.default_url
        self.http = PoliteClient(
            delay=delay,
            max_retries=max_retries,
            timeout=self.default_timeout if timeout is None else timeout,
            sleep=sleep,
            clock=clock,
            client=client,
            error=self.error,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
