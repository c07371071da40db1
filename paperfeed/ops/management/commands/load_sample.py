"""paperfeed load_sample: the bundled real papers and community signal, for a first look."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from paperfeed.papers.importing import state_get, state_set
from paperfeed.papers.models import Paper

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "sample"
MARKER = "sample"


class Command(BaseCommand):
    help = (
        "Load the bundled sample (5,000 recent arXiv papers with their embeddings, 753 featured "
        "papers with upvotes) and index it for search."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force", action="store_true", help="load even if the catalog already holds papers"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        state = state_get(MARKER)
        if state.get("loaded") and not options["force"]:
            self.stdout.write("the sample is already loaded")
            return
        if Paper.objects.exists() and not state and not options["force"]:
            self.stdout.write(
                "the catalog already holds papers; sample not loaded (--force loads it)"
            )
            return
        # Marked as started first, so that the next run resumes a load that was interrupted.
        state_set(MARKER, {"loaded": False})
        call_command("ingest_snapshot", str(SAMPLE_DIR / "arxiv-sample.jsonl.gz"),
                     stdout=self.stdout, stderr=self.stderr)  # fmt: skip
        call_command("ingest_hf_featured", str(SAMPLE_DIR / "hf-featured.json.gz"),
                     stdout=self.stdout, stderr=self.stderr)  # fmt: skip
        # The sample's embeddings ship beside it (made by `paperfeed vectors export`), so that
        # semantic search works at once instead of after minutes of CPU embedding.
        call_command("vectors_import", str(SAMPLE_DIR / "arxiv-sample.vectors.npz"),
                     stdout=self.stdout, stderr=self.stderr)  # fmt: skip
        call_command("index", "--no-embed", stdout=self.stdout, stderr=self.stderr)
        # The query encoder is prepared now (the first time: an ONNX export of the model, under a
        # minute), not by the first visitor's search.
        from paperfeed.search.engine import engine_warm

        engine_warm()
        state_set(MARKER, {"loaded": True})
