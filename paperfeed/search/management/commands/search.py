"""paperfeed search "query": search the catalog from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError

from paperfeed.papers.commands import positive_int
from paperfeed.search.selectors import MODES, papers_search


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-01-31") from None


class Command(BaseCommand):
    help = (
        'Search papers: words, "exact phrases", -excluded, author:"Name", cat:cs.LG, year:2025, '
        "after:2025-01-01, before:..., has:code (only papers with their code), or an arXiv id."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("query", help="what to search for (quote it in the shell)")
        parser.add_argument("--mode", choices=MODES, default="hybrid")
        parser.add_argument("--limit", type=positive_int, default=10, help="results (max 100)")
        parser.add_argument("--page", type=positive_int, default=1)
        parser.add_argument("--category", action="append", default=[], help="e.g. cs.LG")
        parser.add_argument("--author", action="append", default=[])
        parser.add_argument("--after", type=iso_date, default=None)
        parser.add_argument("--before", type=iso_date, default=None)
        parser.add_argument("--json", action="store_true", help='[{"id", "title", "score"}]')

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] > 100:
            raise CommandError("--limit is at most 100")
        results = papers_search(
            q=options["query"], mode=options["mode"], page=options["page"],
            per_page=options["limit"], categories=options["category"],
            authors=options["author"], after=options["after"], before=options["before"],
        )  # fmt: skip
        if options["json"]:
            rows = [
                {"id": h.paper.arxiv_id, "title": h.paper.title, "score": round(h.score, 6)}
                for h in results.hits
            ]
            self.stdout.write(orjson.dumps(rows).decode())
            return
        for note in results.notes:
            self.stderr.write(f"note: {note}")
        if results.semantic == "partial":
            self.stderr.write(
                f"note: semantic results cover {results.vectors:,} of {results.papers:,} papers "
                "(run `paperfeed index` to embed the rest)"
            )
        if not results.hits:
            self.stdout.write("no papers found")
            return
        first = (results.page - 1) * results.per_page
        for rank, hit in enumerate(results.hits, start=first + 1):
            paper = hit.paper
            year = paper.published.year if paper.published else ""
            self.stdout.write(f"{rank:>3}. {paper.arxiv_id:<18} {year}  {paper.title}")
        if results.has_next and sys.stdout.isatty():
            self.stdout.write(f"more: --page {results.page + 1}")
