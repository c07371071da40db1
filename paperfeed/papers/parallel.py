"""Parse and prepare snapshot lines in worker processes while the main process writes.

On a 2-core machine the import is two stages of similar cost, parsing and cleaning text in
Python, and writing to the database; running them side by side nearly halves the time. No
Django here: worker processes are started fresh ("spawn") and import only this and lib/.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterator
from multiprocessing.pool import AsyncResult

from paperfeed.lib.records import PaperRecord, RejectedRecord
from paperfeed.lib.snapshot import SnapshotReader, parse_snapshot_line
from paperfeed.papers.prepare import Prepared, prepare

CHUNK_LINES = 500
Item = Prepared | RejectedRecord


def default_workers() -> int:
    """One worker per core beside the writing process, at least one, at most four."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def prepared_snapshot(reader: SnapshotReader, *, workers: int) -> Iterator[Item]:
    """The snapshot's records, parsed and prepared, in file order.

    workers=0 does everything in this process. Otherwise at most a few chunks per worker are in
    flight, so memory stays flat however large the file is.
    """
    if workers <= 0:
        for chunk in reader.chunks(CHUNK_LINES):
            yield from prepare_chunk(chunk)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_ignore_interrupts) as pool:
        pending: deque[AsyncResult[list[Item]]] = deque()
        for chunk in reader.chunks(CHUNK_LINES):
            pending.append(pool.apply_async(prepare_chunk, (chunk,)))
            if len(pending) >= 3 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def prepare_chunk(chunk: list[tuple[int, bytes]]) -> list[Item]:
    out: list[Item] = []
    for line_no, line in chunk:
        record = parse_snapshot_line(line, line_no)
        out.append(prepare(record) if isinstance(record, PaperRecord) else record)
    return out


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the main process handles it and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
