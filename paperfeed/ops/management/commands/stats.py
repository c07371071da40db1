"""paperfeed stats [--json]: what the catalog holds."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from paperfeed.ops.selectors import catalog_stats


class Command(BaseCommand):
    help = "Print how many papers, authors and featured papers the catalog holds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        stats = catalog_stats()
        if options["json"]:
            self.stdout.write(json.dumps(stats, default=str))
            return
        for name, value in stats.items():
            label = name.replace("_", " ")
            shown = f"{value:,}" if isinstance(value, int) else (value or "-")
            self.stdout.write(f"{label:>18}: {shown}")
