"""paperfeed similar ID: the papers nearest to one paper."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand

from paperfeed.papers.commands import positive_int, stored_paper
from paperfeed.search.selectors import papers_similar


class Command(BaseCommand):
    help = "List the papers most similar to a stored paper (by its embedding)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paper", help="an arXiv id or URL")
        parser.add_argument("--limit", type=positive_int, default=10)
        parser.add_argument("--json", action="store_true", help='[{"id", "title", "score"}]')

    def handle(self, *args: Any, **options: Any) -> None:
        paper = stored_paper(options["paper"])
        similar = papers_similar(paper=paper, limit=min(options["limit"], 100))
        if options["json"]:
            rows = [
                {"id": s.paper.arxiv_id, "title": s.paper.title, "score": round(s.score, 6)}
                for s in similar
            ]
            self.stdout.write(orjson.dumps(rows).decode())
            return
        self.stdout.write(f"similar to {paper.arxiv_id}: {paper.title}")
        for rank, item in enumerate(similar, start=1):
            self.stdout.write(
                f"{rank:>3}. {item.paper.arxiv_id:<18} {item.score:.3f}  {item.paper.title}"
            )
