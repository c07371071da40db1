"""gunicorn's settings for `paperfeed serve` (passed as `-c python:paperfeed.ops.gunicorn_conf`).

Each server process writes its metrics to files in PROMETHEUS_MULTIPROC_DIR; when one exits, its
live-gauge files are dropped (its counters and histograms stay, so totals never go backwards).
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        # prometheus_client ships py.typed, but its multiprocess module is unannotated.
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
