"""paperfeed ingest hf-featured FILE: a collection of featured papers with their upvotes."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from paperfeed.community.importing import featured_importer
from paperfeed.lib.hf_daily import parse_featured_collection
from paperfeed.lib.records import SourceError
from paperfeed.papers.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a collection of featured papers keyed by arXiv id (title, authors, abstract, "
        "publication_date, upvotes), plain JSON or .gz."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="path to the collection (.json or .json.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            items = list(parse_featured_collection(_read(path)))
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        self.run_import(
            items,
            description=f"importing {path.name}",
            total=len(items),
            options=options,
            importer=featured_importer(source="hf-featured"),
            require_records=True,
        )


def _read(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip."""
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None
