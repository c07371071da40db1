"""paperfeed alerts check: match the papers that arrived since each alert's last run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from paperfeed.ops.jobs import alerts_check_now


class Command(BaseCommand):
    help = (
        "Match every alert against the papers stored since its last run (by words, and by "
        "meaning when the embedding model loads). The worker's `alerts` job runs this."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(alerts_check_now()))
