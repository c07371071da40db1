"""paperfeed papers show ID: print a stored paper."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from paperfeed.papers.commands import stored_paper
from paperfeed.papers.models import Paper


class Command(BaseCommand):
    help = "Print a stored paper by arXiv id or URL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("id", help="arXiv id or URL, e.g. 2401.12345 or hep-th/9901001")
        parser.add_argument("--json", action="store_true", help="print every field as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        paper = stored_paper(options["id"])
        if options["json"]:
            fields = {f.name: getattr(paper, f.name) for f in Paper._meta.concrete_fields}
            self.stdout.write(json.dumps(fields, default=str, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._text(paper))

    def _text(self, paper: Paper) -> str:
        lines = [
            f"{paper.arxiv_id}v{paper.version}  {paper.title}",
            ", ".join(paper.authors),
            f"categories: {paper.categories or '-'}",
            f"published: {paper.published or '-'}   updated: {paper.updated or '-'}",
        ]
        for label, value in (
            ("comments", paper.comments),
            ("journal-ref", paper.journal_ref),
            ("doi", paper.doi),
            ("license", paper.license),
        ):
            if value:
                lines.append(f"{label}: {value}")
        versions = ", ".join(
            f"v{v['version']} {v.get('created', '')[:10]}".strip() for v in paper.versions
        )
        if versions:
            lines.append(f"versions: {versions}")
        lines += [
            f"source: {paper.source} (last changed by {paper.last_source})",
            "",
            paper.abstract,
            "",
            paper.abs_url,
        ]
        return "\n".join(lines)
