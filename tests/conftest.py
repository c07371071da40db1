from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import SHARED_DATA
from tests.support.replay import ReplayServer

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared data folder {SHARED_DATA} is missing")
    return SHARED_DATA


@pytest.fixture
def replay_server() -> Iterator[ReplayServer]:
    """A loopback server replaying recorded responses (see tests/support/replay.py)."""
    with ReplayServer() as server:
        yield server
