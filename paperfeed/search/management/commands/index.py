"""paperfeed index: update the search indexes (keyword, embeddings, vectors) from the database."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from paperfeed.papers.commands import StageProgress, positive_int
from paperfeed.search.embedding import EmbeddingError, embedder_load
from paperfeed.search.indexing import (
    IndexBusy,
    embeddings_update,
    index_lock,
    keyword_sync,
    model_key,
    summaries_update,
    vectors_sync,
)


class Command(BaseCommand):
    help = (
        "Bring the search indexes up to date: the keyword index, the stored embeddings of new or "
        "changed papers, and the vector index. Safe to interrupt and re-run."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="rebuild the keyword and vector indexes from the database (stored vectors are "
            "reused, never recomputed)",
        )
        parser.add_argument(
            "--no-embed",
            action="store_true",
            help="do not compute embeddings of new papers (keyword index and stored vectors only)",
        )
        parser.add_argument(
            "--batch-size", type=positive_int, default=None,
            help=f"papers embedded per batch (default {settings.EMBEDDING_BATCH_SIZE})",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            with index_lock(), self.progress() as progress:
                failure = self.run(progress, options)
        except IndexBusy as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError(
                "interrupted; everything done so far is kept: run `paperfeed index` again "
                "to continue",
                returncode=130,
            ) from None
        self.stdout.write(f"done in {time.monotonic() - started:,.1f} s")
        if failure:
            raise CommandError(failure)

    def run(self, progress: Any, options: dict[str, Any]) -> str | None:
        rebuild = options["rebuild"]
        written, docs = keyword_sync(rebuild=rebuild, progress=progress)
        self.stdout.write(f"keyword index: {written:,} papers written · {docs:,} in the index")
        failure = None
        model = model_key(settings.EMBEDDING_MODEL)
        if not options["no_embed"]:
            try:
                embedder = embedder_load(
                    model=model,
                    backend=settings.EMBEDDING_BACKEND,
                    cache_dir=settings.SEARCH_MODELS_DIR,
                )
            except EmbeddingError as exc:
                failure = f"embeddings not updated: {exc}"
            else:
                model = embedder.model_name
                batch = options["batch_size"] or max(
                    settings.EMBEDDING_BATCH_SIZE, embedder.papers_per_call
                )
                done, same = embeddings_update(
                    embedder=embedder, batch_size=batch, progress=progress
                )
                self.stdout.write(
                    f"embeddings ({model}, {embedder.backend}): {done:,} papers embedded · "
                    f"{same:,} unchanged"
                )
                described = summaries_update(embedder=embedder, progress=progress)
                self.stdout.write(f"key phrases and summaries: {described:,} papers described")
        published, total = vectors_sync(model=model, rebuild=rebuild, progress=progress)
        self.stdout.write(f"vector index: {published:,} vectors added · {total:,} in the index")
        return failure

    def progress(self) -> Any:
        return StageProgress()
