"""paperfeed ingest hf-daily [--date D]: Hugging Face daily papers, with submitters and upvotes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from paperfeed.community.importing import featured_importer
from paperfeed.lib.hf_daily import parse_daily_papers, read_daily_papers_file
from paperfeed.lib.http import PoliteClient
from paperfeed.lib.records import SourceError
from paperfeed.papers.commands import ImportCommand


class Command(ImportCommand):
    help = "Import the papers featured on Hugging Face Daily Papers for a day (default: today)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--date", type=date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--file", type=Path, help="import a saved /api/daily_papers response")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["file"]:
                items = list(read_daily_papers_file(options["file"]))
                label = options["file"].name
            else:
                day = options["date"] or timezone.localdate()
                items = list(parse_daily_papers(_fetch(day)))
                label = f"Hugging Face daily papers {day}"
        except (OSError, SourceError, httpx.HTTPError) as exc:
            raise CommandError(str(exc)) from None
        self.run_import(
            items,
            description=label,
            total=len(items),
            options=options,
            importer=featured_importer(source="hf-daily"),
            require_records=bool(options["file"]),
        )


def _fetch(day: date) -> bytes:
    http = PoliteClient(delay=0, max_retries=3, timeout=30)
    try:
        response = http.get(settings.HF_DAILY_PAPERS_URL, params={"date": day.isoformat()})
    finally:
        http.close()
    if response.status_code != 200:
        raise SourceError(f"{response.request.url} answered HTTP {response.status_code}")
    return response.content
