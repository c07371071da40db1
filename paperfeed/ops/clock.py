"""The worker's clock, which tests can pin.

A test cannot time-travel a worker running in another process, so the worker reads
`PAPERFEED_NOW` (an ISO date-time, for tests only): when it is set, the whole process starts at
that moment and its clock runs on from there (time-machine), so that schedules, leases,
editions and delivery records all agree on the time.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError


def clock_pinned() -> AbstractContextManager[Any]:
    """A context in which the process's clock starts at PAPERFEED_NOW; a no-op without it."""
    text = os.environ.get("PAPERFEED_NOW", "").strip()
    if not text:
        return nullcontext()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"PAPERFEED_NOW={text!r} is not a date and time (e.g. 2026-12-01T07:00:00+00:00)"
        ) from None
    if moment.tzinfo is None:
        raise CommandError(f"PAPERFEED_NOW={text!r} needs a UTC offset, e.g. +00:00")
    try:
        import time_machine
    except ImportError:  # a test-only setting: time-machine comes with the test tools
        raise CommandError("PAPERFEED_NOW needs the test tools (time-machine)") from None
    return time_machine.travel(moment, tick=True)
