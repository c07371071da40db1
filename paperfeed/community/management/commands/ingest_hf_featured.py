"""paperfeed ingest hf-featured FILE: a collection of featured papers with their upvotes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from paperfeed.community.importing import featured_importer
from paperfeed.lib.hf_daily import read_featured_collection
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
            items = list(read_featured_collection(path))
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
