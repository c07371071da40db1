"""Who holds a claim: a worker's name says its host and process, so that a claim left by a
process that died on this host can be taken over at once instead of when its lease lapses."""

from __future__ import annotations

import os
import secrets
import socket


def claimer_id() -> str:
    """A name unique to this process: host:pid:random (the random part tells a reused pid)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def claimer_dead_here(owner: str) -> bool:
    """Whether `owner` (a claimer_id) was a process on this host that has exited."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:60] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
