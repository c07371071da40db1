"""paperfeed restore DIR: load a backup into an empty home or database, then rebuild indexes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from paperfeed.ops.backup import BackupError, backup_restore, current_counts
from paperfeed.ops.management.commands.backup import byte_progress, counts_line


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR (made by `paperfeed backup`) into this site's EMPTY database: "
        "refused, with nothing changed, when the database holds papers, users or other rows. "
        "Checks the manifest and every checksum first. SQLite: the database file is copied into "
        "PAPERFEED_HOME (which must have no database yet, or an empty migrated one); PostgreSQL: "
        "pg_restore into the empty database of DATABASE_URL. A backup is restored only into the "
        "engine it was made from (SQLite into SQLite, PostgreSQL into PostgreSQL). Restores the "
        "secret key file, runs migrate, then rebuilds the search indexes from the database and "
        "its stored vectors (index --rebuild --no-embed: nothing is re-embedded)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dir", help="a folder written by `paperfeed backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with byte_progress() as progress:
                manifest = backup_restore(source=Path(options["dir"]), progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        engine = manifest["database"]["engine"]
        self.stdout.write(
            f"restored the {engine} database backed up on {manifest['created_at']} "
            f"(paperfeed {manifest['paperfeed_version']})"
        )
        key = manifest.get("secret_key", {})
        if key.get("file") and os.environ.get("PAPERFEED_SECRET_KEY"):
            self.stdout.write("note: the secret key file was restored, but PAPERFEED_SECRET_KEY "
                              "is set and takes precedence")  # fmt: skip
        elif key.get("note"):
            self.stdout.write(f"note: {key['note']}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            "search indexes are not part of a backup: rebuilding them from the database and its "
            "stored vectors (nothing is re-embedded)"
        )
        call_command("index", "--rebuild", "--no-embed", stdout=self.stdout, stderr=self.stderr)
        counts = current_counts()
        self.stdout.write(f"restored {counts_line(counts)}")
        expected = manifest["counts"]
        differ = [name for name in expected if counts.get(name) != expected[name]]
        if differ:
            raise CommandError(
                "the restored database does not hold what the manifest counted ("
                + ", ".join(f"{name}: {counts.get(name)} for {expected[name]}" for name in differ)
                + ")"
            )
