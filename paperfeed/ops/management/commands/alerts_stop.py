"""paperfeed alerts stop: turn off a saved search's alert."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperfeed.alerts.services import alert_stop


class Command(BaseCommand):
    help = "Stop the alert of one of an account's saved searches (the search itself stays)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("search_id", type=int, help="the saved search's number")
        parser.add_argument("--user", required=True, help="the account's username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No account named '{options['user']}'.")
        if not alert_stop(user=user, search_id=options["search_id"]):
            raise CommandError(
                f"{user.username} has no alert on a saved search {options['search_id']} "
                "(see: paperfeed alerts list --user NAME)."
            )
        self.stdout.write(f"alert on saved search {options['search_id']} stopped")
