"""Run an import: batch a stream of records into `papers_upsert_batch`, report bad records,
show progress, save how far it got, and summarise. Every import command goes through here."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import transaction

from paperfeed.lib.metrics import PAPERS_INGESTED
from paperfeed.lib.records import PaperRecord, RejectedRecord, SourceError
from paperfeed.papers.ingest import BatchResult, papers_upsert_batch
from paperfeed.papers.models import IngestState
from paperfeed.papers.prepare import Prepared, prepare_or_reject

T = TypeVar("T")

MAX_REPORTED = 20  # rejected records listed one by one; the rest are only counted


@dataclass
class ImportSummary:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # records already imported by an interrupted earlier run
    seconds: float = 0.0
    rejections: list[RejectedRecord] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)  # counts an importer adds ("featured")

    def add(self, result: BatchResult) -> None:
        self.new += result.new
        self.updated += result.updated
        self.unchanged += result.unchanged

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        text = (
            f"read {self.read:,} · new {self.new:,} · updated {self.updated:,} · "
            f"unchanged {self.unchanged:,} · rejected {self.rejected:,}"
        )
        for name, count in self.extra.items():
            text += f" · {name} {count:,}"
        if self.skipped:
            text += f" · resumed after {self.skipped:,}"
        return text + f" in {self.seconds:.1f} s ({self.rate:,.0f} records/s)"

    def as_dict(self) -> dict[str, Any]:
        counts = ("read", "new", "updated", "unchanged", "rejected")
        return {**{k: getattr(self, k) for k in counts}, **self.extra}


@dataclass(frozen=True)
class Checkpoint:
    """A marker in a stream of records: store what came before it, and run `save` in the same
    transaction (an OAI resumption token, an API offset), so that progress and papers are
    committed together."""

    save: Callable[[], None]


@dataclass
class Importer(Generic[T]):
    """Batches items of type T (PaperRecord, or a record that wraps one) into the catalog.

    paper_of: the PaperRecord inside an item.
    after_batch: runs inside the batch's transaction once its papers are stored (e.g. to store
        featured entries that refer to them).
    on_rejected: called for each bad record as it is found (to print it).
    progress: called with the number of items handled so far (read + rejected).
    """

    batch_size: int = 1000
    paper_of: Callable[[T], PaperRecord] = lambda item: item  # type: ignore[assignment,return-value]
    after_batch: Callable[[list[T], BatchResult], None] | None = None
    on_rejected: Callable[[RejectedRecord], None] | None = None
    progress: Callable[[int], None] | None = None
    summary: ImportSummary = field(default_factory=ImportSummary)

    def run(
        self,
        items: Iterable[T | RejectedRecord | Checkpoint],
        *,
        save_state: Callable[[int], None] | None = None,
        skip: int = 0,
    ) -> ImportSummary:
        """Import everything; `skip` items are passed over (already imported by an interrupted
        run) and `save_state(n)` records, inside each batch's transaction, that n items are done."""
        started = time.perf_counter()
        handled = 0
        batch: list[T] = []
        prepared: list[Prepared] = []
        try:
            for item in items:
                if isinstance(item, Checkpoint):
                    self._store(batch, prepared, handled, save_state, checkpoint=item)
                    batch, prepared = [], []
                    continue
                handled += 1
                if handled <= skip:
                    self.summary.skipped += 1
                elif isinstance(item, RejectedRecord):
                    self._reject(item)
                elif isinstance(ready := self._prepared(item, handled), RejectedRecord):
                    self._reject(ready)
                else:
                    batch.append(item)
                    prepared.append(ready)
                    if len(batch) >= self.batch_size:
                        self._store(batch, prepared, handled, save_state)
                        batch, prepared = [], []
                if self.progress and handled % 500 == 0:
                    self.progress(handled)
            if batch:
                self._store(batch, prepared, handled, save_state)
            if self.progress:
                self.progress(handled)
        except SourceError:
            if batch:  # the source broke off: keep the good records read before it did
                self._store(batch, prepared, handled, save_state)
            raise
        finally:
            self.summary.seconds += time.perf_counter() - started
        return self.summary

    def _prepared(self, item: T, number: int) -> Prepared | RejectedRecord:
        paper = self.paper_of(item)
        if isinstance(paper, Prepared):
            return paper
        return prepare_or_reject(paper, f"record {number} ({paper.arxiv_id})")

    def _reject(self, item: RejectedRecord) -> None:
        self.summary.rejected += 1
        if len(self.summary.rejections) < MAX_REPORTED:
            self.summary.rejections.append(item)
        if self.on_rejected:
            self.on_rejected(item)

    def _store(
        self,
        batch: list[T],
        prepared: list[Prepared],
        handled: int,
        save_state: Callable[[int], None] | None,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        def on_stored(result: BatchResult) -> None:
            if self.after_batch and batch:
                self.after_batch(batch, result)
            if save_state:
                save_state(handled)
            if checkpoint:
                checkpoint.save()
            if not nested:
                # Counted once committed, so that an interrupted run reports what it kept.
                transaction.on_commit(lambda: self._count(len(batch), result))

        # Inside an outer transaction (a caller's, or a test's) nothing commits here.
        nested = transaction.get_connection().in_atomic_block
        result = papers_upsert_batch(records=prepared, on_stored=on_stored)
        if nested:
            self._count(len(batch), result)

    def _count(self, read: int, result: BatchResult) -> None:
        self.summary.read += read
        self.summary.add(result)
        PAPERS_INGESTED.inc(result.new + result.updated)


def state_get(key: str) -> dict[str, Any]:
    row = IngestState.objects.filter(key=key).values_list("value", flat=True).first()
    return dict(row) if row else {}


def state_set(key: str, value: dict[str, Any]) -> None:
    IngestState.objects.update_or_create(key=key, defaults={"value": value})


def state_clear(key: str) -> None:
    IngestState.objects.filter(key=key).delete()
