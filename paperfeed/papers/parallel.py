"""Parse and prepare snapshot lines in worker processes while the main process writes.

On a 2-core machine the import is two stages of similar cost, parsing and cleaning text in
Python, and writing to the database; running them side by side nearly halves the time. No
Django here: worker processes are started fresh ("spawn") and import only this and lib/.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from paperfeed.lib.records import PaperRecord, RejectedRecord, SourceError
from paperfeed.lib.snapshot import SnapshotReader, parse_snapshot_line
from paperfeed.papers.prepare import Prepared, prepare_or_reject

CHUNK_LINES = 500
# Chunks in flight: more than a write batch (2,000 records = 4 chunks) so that workers keep
# parsing while the main process writes a batch, yet few enough that memory stays flat.
IN_FLIGHT = 16
Item = Prepared | RejectedRecord


def default_workers() -> int:
    """One worker per core (at most four); they run at low priority beside the writer."""
    return max(1, min(4, os.cpu_count() or 2))


def prepared_snapshot(reader: SnapshotReader, *, workers: int) -> Iterator[Item]:
    """The snapshot's records, parsed and prepared, in file order.

    workers=0 does everything in this process. Otherwise at most IN_FLIGHT chunks are in flight,
    so memory stays flat however large the file is.
    """
    if workers <= 0:
        for chunk in reader.chunks(CHUNK_LINES):
            yield from prepare_chunk(chunk)
        return
    context = multiprocessing.get_context("spawn")
    # concurrent.futures, not multiprocessing.Pool: when a worker dies (killed, out of memory)
    # its tasks fail with BrokenProcessPool instead of never completing.
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        results: queue.Queue[Future[list[Item]] | BaseException | None] = queue.Queue(
            maxsize=max(IN_FLIGHT, 3 * workers)
        )
        stop = threading.Event()
        feeder = threading.Thread(target=_feed, args=(reader, pool, results, stop), daemon=True)
        feeder.start()
        try:
            while (result := results.get()) is not None:
                if isinstance(result, BaseException):
                    raise result
                try:
                    items = result.result()
                except BrokenProcessPool:
                    raise SourceError(
                        "a worker process died (out of memory?); everything committed is kept: "
                        "run the same command again to continue"
                    ) from None
                yield from items
        finally:
            stop.set()
            while feeder.is_alive():  # unblock a feeder waiting for room in the queue
                with contextlib.suppress(queue.Empty):
                    results.get(timeout=0.1)
            for pending in _drain(results):
                pending.cancel()


def _drain(results: queue.Queue[Future[list[Item]] | BaseException | None]) -> list[Future[Any]]:
    out: list[Future[Any]] = []
    while True:
        try:
            item = results.get_nowait()
        except queue.Empty:
            return out
        if isinstance(item, Future):
            out.append(item)


def _feed(
    reader: SnapshotReader,
    pool: ProcessPoolExecutor,
    results: queue.Queue[Future[list[Item]] | BaseException | None],
    stop: threading.Event,
) -> None:
    """Read the file and hand chunks to the pool, in a thread: decompressing and reading release
    the GIL, so this overlaps with the main thread's database writes."""
    try:
        for chunk in reader.chunks(CHUNK_LINES):
            if stop.is_set():
                return
            results.put(pool.submit(prepare_chunk, chunk))
        results.put(None)
    except BaseException as exc:  # a corrupt file, a broken pool: re-raised in the main thread
        results.put(exc)


def prepare_chunk(chunk: list[tuple[int, bytes]]) -> list[Item]:
    out: list[Item] = []
    for line_no, line in chunk:
        record = parse_snapshot_line(line, line_no)
        if isinstance(record, PaperRecord):
            out.append(prepare_or_reject(record, f"line {line_no}"))
        else:
            out.append(record)
    return out


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group; the main process handles it and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Workers yield the CPU to the writing process, which is the narrower stage: with more
    # workers than spare cores they use only the time the writer leaves idle.
    with contextlib.suppress(OSError):
        os.nice(10)
    threading.Thread(target=_leave_with, args=(os.getppid(),), daemon=True).start()


def _leave_with(parent: int) -> None:
    """End the worker when the import that started it is gone: a SIGKILLed import cannot stop
    its pool, and its workers would otherwise wait for work forever."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
