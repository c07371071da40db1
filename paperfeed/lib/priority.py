"""Let requests on the same cores come first: background work lowers its own priority."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def priority_lower(niceness: int) -> None:
    """Let requests on the same cores come first: raise this process's niceness and, when it
    leads its own session (systemd, setsid or a shell's job control started it), its session's
    too. With Linux's autogroup scheduling (on by default) niceness weighs only against the
    processes of the same session, so a nice worker in a session of its own would still take
    half the machine from `paperfeed serve` (measured: `/` p99 80 ms instead of 34 while it
    embeds, bench/web.py --mixed)."""
    os.nice(niceness)
    autogroup = Path("/proc/self/autogroup")
    if os.getsid(0) == os.getpid() and autogroup.exists():
        try:
            autogroup.write_text(str(niceness))
        except OSError:  # autogroup scheduling is off, or this kernel refuses: niceness alone
            log.debug("the session's niceness could not be set", exc_info=True)
