"""paperfeed alerts list: every alert, its channels and matches."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Q

from paperfeed.alerts.models import Alert


class Command(BaseCommand):
    help = "List the alerts (of one account with --user): query, channels, matches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="only this account's alerts")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args: Any, **options: Any) -> None:
        alerts = (
            Alert.objects.select_related("search__user")
            .annotate(
                found=Count("matches"),
                emailed=Count("matches", filter=Q(matches__emailed_at__isnull=False)),
            )
            .order_by("search__user__username", "search__name")
        )
        if options["user"]:
            alerts = alerts.filter(search__user__username=options["user"])
        rows = [
            {
                "search": a.search_id,
                "user": a.search.user.username,
                "name": a.search.name,
                "query": a.search.query,
                "frequency": a.frequency,
                "email": a.by_email,
                "feed": a.by_feed,
                "matches": a.found,
                "emailed": a.emailed,
                "checkedUntil": a.checked_until.isoformat(),
            }
            for a in alerts
        ]
        if options["json"]:
            for row in rows:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("no alerts")
            return
        for r in rows:
            ways = "+".join(w for w in ("email", "feed") if r[w])
            self.stdout.write(
                f"{r['search']:>6}  {r['user']}  “{r['name']}”  {r['frequency']} {ways}  "
                f"{r['matches']} matches ({r['emailed']} emailed)  query: {r['query']}"
            )
