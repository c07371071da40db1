"""paperfeed alerts add: save a search with an alert on it, for an account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from paperfeed.alerts.models import Alert
from paperfeed.alerts.services import search_alert_save
from paperfeed.digests.rendering import absolute
from paperfeed.digests.services import (
    ADDRESS_ASKED,
    ADDRESS_LIMITED,
    NO_ADDRESS,
    alerts_address_ensure,
)


class Command(BaseCommand):
    help = (
        'Save QUERY (the search language: words, "phrases", -exclusions, cat:, author:, ...) '
        "as a search of an account, with an alert: the papers that match it from now on go to "
        "its private feed and, with --email, to the account's address (confirmed first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="the search, in quotes")
        parser.add_argument("--user", required=True, help="the account's username")
        parser.add_argument("--name", default="", help="a name (default: the query)")
        parser.add_argument("--weekly", action="store_true", help="weekly instead of daily")
        parser.add_argument("--email", action="store_true", help="email the new papers too")
        parser.add_argument("--no-feed", action="store_true", help="no private feed")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No account named '{options['user']}'.")
        try:
            alert = search_alert_save(
                user=user, query=options["query"], name=options["name"],
                frequency=Alert.WEEKLY if options["weekly"] else Alert.DAILY,
                by_email=options["email"], by_feed=not options["no_feed"],
            )  # fmt: skip
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        search = alert.search
        self.stdout.write(f"saved search {search.pk} “{search.name}”: {alert.frequency} alert")
        if alert.by_feed:
            feed = absolute(reverse("feed_alert", args=[alert.feed_secret, "atom"]))
            self.stdout.write(f"private feed: {feed}")
        if alert.by_email:
            status = alerts_address_ensure(user=user)
            if status == ADDRESS_ASKED:
                self.stdout.write(f"email: a confirmation link was sent to {user.email}")
            elif status == ADDRESS_LIMITED:
                self.stderr.write(
                    f"email: {user.email} had its confirmation emails for this hour; run this "
                    "again later to send a new link"
                )
            elif status == NO_ADDRESS:
                self.stderr.write("email: the account has no address; only the feed will work")
            else:
                self.stdout.write(f"email: to {user.email}")
