"""Helpers shared by paperfeed's tests: recorded responses and the loopback replay server."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _shared_data() -> Path:
    """The shared real-data folder: $PAPERFEED_SHARED_DATA, else ../shared/data beside the
    repository (where checkouts live), else /work/shared/data."""
    candidates = [
        os.environ.get("PAPERFEED_SHARED_DATA", ""),
        str(Path(__file__).resolve().parents[2].parent / "shared" / "data"),
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path(candidates[1])


SHARED_DATA = _shared_data()


def fixture_path(relative: str) -> Path:
    """A file under tests/fixtures/, e.g. "oai-pmh/arxivraw/ListRecordsResponse.xml"."""
    path = FIXTURES / relative
    if not path.is_file():
        raise FileNotFoundError(f"missing test fixture {path}")
    return path


def recorded_atom(name: str) -> dict[str, Any]:
    """A recorded arXiv API exchange `{url, status_code, body}` from tests/fixtures/arxiv-atom/."""
    data: dict[str, Any] = json.loads(fixture_path(f"arxiv-atom/{name}.json").read_text())
    return data


def recorded_nock(name: str) -> list[dict[str, Any]]:
    """Recorded OAI-PMH exchanges (nock format) from tests/fixtures/oai-pmh/arxiv-format/."""
    data: list[dict[str, Any]] = json.loads(
        fixture_path(f"oai-pmh/arxiv-format/{name}.json").read_text()
    )
    return data


def nock_headers(exchange: dict[str, Any]) -> dict[str, str]:
    """The headers of a nock exchange, from its flat `rawHeaders` list."""
    raw = exchange.get("rawHeaders", [])
    skip = {"content-length", "transfer-encoding", "connection"}  # the replay server sets these
    pairs = zip(raw[::2], raw[1::2], strict=True)
    return {name: value for name, value in pairs if name.lower() not in skip}


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class FakeTime:
    """A clock that only moves when something sleeps: tests see every wait and never wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds

    def monotonic(self) -> float:
        return self.now
