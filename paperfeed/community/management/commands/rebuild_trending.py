"""paperfeed rebuild_trending: recompute every featured paper's vote counts and trend key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from paperfeed.community.trending import featured_refresh_all


class Command(BaseCommand):
    help = (
        "Recompute the derived vote and comment counts and the trending key of every featured "
        "paper from its votes and comments (needed after changing "
        "PAPERFEED_TRENDING_HALF_LIFE_HOURS). Safe to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        changed = featured_refresh_all()
        self.stdout.write(f"rebuilt trending: {changed} featured papers changed")
