"""paperfeed vectors export FILE: write the stored embeddings of the catalog to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from paperfeed.papers.commands import StageProgress
from paperfeed.search.embedding import DEFAULT_MODEL
from paperfeed.search.transfer import VectorFileError, vectors_export


class Command(BaseCommand):
    help = "Export the stored vectors of one model to a .npz file (see `vectors import`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--model", default=None, help="default: the configured model")

    def handle(self, *args: Any, **options: Any) -> None:
        model = options["model"] or settings.EMBEDDING_MODEL
        if model == f"sentence-transformers/{DEFAULT_MODEL}":
            model = DEFAULT_MODEL
        try:
            with StageProgress() as progress:
                count = vectors_export(path=options["file"], model=model, progress=progress)
        except (VectorFileError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count:,} vectors of {model} written to {options['file']}")
