"""paperfeed ingest snapshot FILE: bulk import of the Kaggle arXiv metadata snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from paperfeed.lib.records import SourceError
from paperfeed.lib.snapshot import SnapshotReader
from paperfeed.papers.commands import ImportCommand
from paperfeed.papers.importing import state_clear, state_get, state_set
from paperfeed.papers.parallel import default_workers, prepared_snapshot


class Command(ImportCommand):
    help = "Import papers from the Kaggle arXiv metadata snapshot (JSON lines, plain or .gz)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="path to arxiv-metadata-oai-snapshot.json[.gz]")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes that parse while this one writes (default: one per core; 0: none)",
        )
        parser.add_argument(
            "--restart",
            action="store_true",
            help="start from the first record even if an earlier run of this file was interrupted",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file; give the path of a snapshot .json or .gz")
        stat = path.stat()
        # The key names this exact file, so a changed file never resumes a stale position.
        key = f"snapshot:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        if options["restart"]:
            state_clear(key)
        skip = int(state_get(key).get("done", 0))
        if skip:
            self.stdout.write(f"resuming {path.name} after record {skip:,}")
        try:
            reader = SnapshotReader(path)
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        workers = default_workers() if options["workers"] is None else options["workers"]
        self.run_import(
            prepared_snapshot(reader, workers=workers),
            description=f"importing {path.name}",
            total=reader.size,
            position=lambda: reader.position,
            options=options,
            save_state=lambda done: state_set(key, {"done": done}),
            skip=skip,
            require_records=True,
        )
        state_clear(key)
