"""paperfeed vectors import FILE: store embeddings exported by another paperfeed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paperfeed.papers.commands import StageProgress
from paperfeed.search.transfer import VectorFileError, vectors_import


class Command(BaseCommand):
    help = (
        "Import vectors from a file made by `vectors export`; papers not in the catalog, or whose "
        "text changed, are skipped; a damaged file is refused before anything is stored. "
        "`paperfeed index --no-embed` then publishes them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with StageProgress() as progress:
                counts = vectors_import(path=options["file"], progress=progress)
        except VectorFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{counts.imported:,} vectors of {counts.model} imported · {counts.not_stored:,} "
            f"papers not in the catalog · {counts.text_changed:,} with changed text "
            "(`paperfeed index` embeds them)"
        )
