"""Files that readers in other processes may open at any moment: written whole or not at all."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any


def write_json_atomic(path: Path, data: Any, *, indent: int | None = None) -> None:
    """Write `data` as JSON to `path` so that a reader, or the writer killed midway, sees the
    old file or the whole new one: written beside it, flushed to disk, then renamed over it."""
    path = Path(path)
    # A name of our own (not mkstemp's), so the file gets the usual permissions (umask) that
    # server processes, maybe another user, need to read it.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=indent)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
