"""What every import command shares: a progress bar, bad records reported as they are found,
a summary, and the exit-code rule (non-zero only when nothing could be read)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from paperfeed.lib.arxiv_ids import InvalidArxivId, normalize_arxiv_id
from paperfeed.lib.records import RejectedRecord, SourceError
from paperfeed.papers.bulk import bulk_session
from paperfeed.papers.importing import Importer, ImportSummary
from paperfeed.papers.models import Paper

T = TypeVar("T")


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def iso_date(text: str) -> date:
    """An argparse type: a day written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use YYYY-MM-DD") from None


def stored_paper(text: str) -> Paper:
    """The stored paper a command argument names (any id form), or a CommandError saying why."""
    try:
        arxiv_id = normalize_arxiv_id(text)
    except InvalidArxivId as exc:
        raise CommandError(str(exc)) from None
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        hint = f"fetch it with: paperfeed ingest paper {arxiv_id}"
        raise CommandError(f"{arxiv_id} is not in the catalog; {hint}")
    return paper


class RecordsColumn(ProgressColumn):
    """Records handled so far and records per second."""

    def render(self, task: Task) -> Text:
        records = task.fields.get("records", 0)
        elapsed = task.finished_time or task.elapsed or 0
        rate = f" · {records / elapsed:,.0f}/s" if elapsed > 0.5 else ""
        return Text(f"{records:,} records{rate}", style="cyan")


class ImportCommand(BaseCommand):
    """Base for `ingest_*` commands."""

    # Django's system checks import every URL configuration and view (and with them the search
    # and API stacks): a second of each import's start that an import, run from cron or in bulk,
    # does not need. `paperfeed check` (and `serve`, `migrate`: every other command) run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=None,
            help="records per transaction (default 2000)",
        )

    def run_import(
        self,
        items: Iterable[T | RejectedRecord],
        *,
        description: str,
        total: int | None = None,
        position: Callable[[], int] | None = None,
        options: dict[str, Any],
        importer: Importer[T] | None = None,
        save_state: Callable[[int], None] | None = None,
        skip: int = 0,
        require_records: bool = False,
    ) -> ImportSummary:
        from django.conf import settings

        importer = importer or Importer()
        importer.batch_size = options.get("batch_size") or settings.INGEST_BATCH_SIZE
        importer.on_rejected = self._print_rejected
        interrupted = False
        with bulk_session(), self.progress_bar(description, total, position) as advance:
            importer.progress = advance
            try:
                summary = importer.run(items, save_state=save_state, skip=skip)
            except KeyboardInterrupt:
                summary, interrupted = importer.summary, True
            except SourceError as exc:
                self.stdout.write(importer.summary.line())
                raise CommandError(str(exc)) from None
        self.stdout.write(summary.line())
        if summary.rejected > len(summary.rejections):
            self.stderr.write(
                f"... and {summary.rejected - len(summary.rejections):,} more rejected"
            )
        if interrupted:
            raise CommandError(
                "interrupted; everything committed so far is kept: run the same command again "
                "to continue",
                returncode=130,
            )
        if require_records and summary.read == 0 and summary.skipped == 0:
            raise CommandError(
                "no paper could be read from the input"
                + (f" ({summary.rejected:,} records rejected)" if summary.rejected else "")
            )
        return summary

    def import_saved_file(
        self, read: Callable[[Path], Iterable[Any]], options: dict[str, Any]
    ) -> ImportSummary:
        """Import a saved response (`--file PATH`) with `read`, the source's file reader."""
        path: Path = options["file"]
        try:
            items = list(read(path))
        except (OSError, SourceError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        return self.run_import(items, description=path.name, options=options, require_records=True)

    def _print_rejected(self, item: RejectedRecord) -> None:
        self.stderr.write(f"rejected {item.location}: {item.reason}")

    @contextmanager
    def progress_bar(
        self, description: str, total: int | None, position: Callable[[], int] | None = None
    ) -> Iterator[Callable[[int], None]]:
        """A progress bar on stderr (when it is a terminal); yields `advance(records_done)`.

        With `position`, the bar follows it against `total` (bytes of a file read so far),
        which gives an ETA when the number of records is not known in advance.
        """
        console = Console(file=sys.stderr)
        progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            RecordsColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        with progress:
            task = progress.add_task(description, total=total, records=0)

            def advance(done: int) -> None:
                completed = position() if position else done
                progress.update(task, completed=completed, records=done)

            yield advance


class StageProgress:
    """One progress bar per stage of a job on stderr (shown only on a terminal), fed by calls
    `progress(stage, done, total)`; a total of 0 is unknown. The columns after the stage's name
    default to done-of-total with the time left (`paperfeed index`); `backup` shows bytes."""

    def __init__(self, *columns: ProgressColumn, width: int = 13) -> None:
        console = Console(file=sys.stderr)
        shown = columns or (MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                            TimeRemainingColumn())  # fmt: skip
        self.bars = Progress(
            SpinnerColumn(), TextColumn(f"[bold]{{task.description:<{width}}}"), BarColumn(),
            *shown, console=console, disable=not console.is_terminal,
        )  # fmt: skip
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> StageProgress:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.__exit__(None, None, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(stage, total=total or None)
        self.bars.update(self.tasks[stage], completed=done, total=total or None)
