from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import FakeTime
from tests.support.replay import ReplayServer


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    """A loopback server that replays queued responses and records each request."""
    with ReplayServer() as server:
        yield server


@pytest.fixture
def fake_time() -> FakeTime:
    """Pass `sleep=fake_time.sleep, clock=fake_time.monotonic` so that clients never wait."""
    return FakeTime()
