"""paperfeed backup DIR: a consistent copy of the database, the secret key and a manifest."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from paperfeed.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a backup into DIR (which must be empty or not exist): the database, copied while "
        "the site serves and writes (SQLite's online backup API, or pg_dump -Fc for PostgreSQL), "
        "the secret key file and manifest.json (version, date, engine, row counts, sha256 of "
        "each file). Search indexes are not included: `paperfeed restore` rebuilds them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dir", help="where to write the backup: a new or empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        target = Path(options["dir"]).absolute()
        try:
            with StageProgress() as progress:
                manifest = backup_create(target=target, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError("interrupted; no backup was written", returncode=130) from None
        size = sum(entry["bytes"] for entry in manifest["files"].values())
        self.stdout.write(
            f"backup of the {manifest['database']['engine']} database written to {target} "
            f"({size / 1e6:,.1f} MB) in {time.monotonic() - started:,.1f} s"
        )
        self.stdout.write(counts_line(manifest["counts"]))
        if manifest["secret_key"]["source"] == "environment":
            self.stdout.write(f"note: {manifest['secret_key']['note']}")


def counts_line(counts: dict[str, int]) -> str:
    return " · ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items())


class StageProgress:
    """One progress bar per stage on stderr, shown only on a terminal."""

    def __init__(self) -> None:
        console = Console(file=sys.stderr)
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<22}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> StageProgress:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.__exit__(None, None, None)

    def __call__(self, stage: str, done: int, total: int) -> None:
        # SQLite reports pages, files report bytes; a total of 0 is unknown (pg_dump).
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(stage, total=total or None)
        self.bars.update(self.tasks[stage], completed=done, total=total or None)
