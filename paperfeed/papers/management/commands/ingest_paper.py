"""paperfeed ingest paper ID_OR_URL: fetch one paper from arXiv and store it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paperfeed.lib.arxiv_api import read_atom_file
from paperfeed.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperfeed.lib.records import PaperRecord, SourceError
from paperfeed.papers.fetching import paper_fetch
from paperfeed.papers.ingest import paper_upsert
from paperfeed.papers.prepare import InvalidRecord


class Command(BaseCommand):
    help = "Fetch one paper by arXiv id or URL (abs, pdf, html) and store it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("id", help="e.g. 2401.12345, arXiv:2401.12345v2, hep-th/9901001, a URL")
        parser.add_argument("--file", type=Path, help="take the paper from a saved API response")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            wanted = parse_arxiv_id(options["id"])
            if options["file"]:
                page = read_atom_file(options["file"])
                record = next(
                    (e for e in page.entries
                     if isinstance(e, PaperRecord) and e.arxiv_id == wanted.id), None,
                )  # fmt: skip
                if record is None:
                    raise CommandError(f"{options['file']} holds no paper {wanted.id}")
                paper, outcome = paper_upsert(record=record)
            else:
                paper, outcome = paper_fetch(id_or_url=wanted.versioned)
        except (InvalidArxivId, InvalidRecord) as exc:
            raise CommandError(str(exc)) from None
        except (OSError, SourceError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{outcome}: {paper.arxiv_id}v{paper.version} {paper.title}")
