from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of exported embedding models for the whole run (exporting takes seconds)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def search_dirs(tmp_path: Path, models_dir: Path, settings: Any) -> Iterator[None]:
    """Every test gets its own search indexes, never the developer's var/index."""
    from paperfeed.search.engine import engine_reset

    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    settings.SEARCH_MODELS_DIR = models_dir
    engine_reset()
    yield
    engine_reset()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Every test starts with empty caches (pages cached for anonymous visitors, similar papers
    of an index version: each test's index starts again at version 1)."""
    from django.core.cache import caches

    for store in caches.all():
        store.clear()
    yield
    for store in caches.all():
        store.clear()


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def tasks_immediate(request: pytest.FixtureRequest, settings: Any) -> None:
    """Queued tasks run at once, in the test, unless a test asks for the real queue in the
    database (`@pytest.mark.task_queue`), which tests/ops drains with a real worker."""
    if request.node.get_closest_marker("task_queue") is None:
        settings.TASKS = IMMEDIATE_TASKS
