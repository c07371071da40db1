"""paperfeed backup DIR: a consistent copy of the database, the secret key and a manifest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import (
    DownloadColumn,
    TimeElapsedColumn,
)

from paperfeed.ops.backup import BackupError, backup_create
from paperfeed.papers.commands import StageProgress


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
            with byte_progress() as progress:
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


def byte_progress() -> StageProgress:
    """Progress of copying: bytes (SQLite pages, files) per stage."""
    return StageProgress(DownloadColumn(), TimeElapsedColumn(), width=22)
