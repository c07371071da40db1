"""paperfeed digest preview --email ADDRESS: print a digest as that subscriber would get it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperfeed.digests.forms import email_clean
from paperfeed.digests.models import FREQUENCIES
from paperfeed.digests.preview import digest_preview
from paperfeed.papers.commands import iso_date


class Command(BaseCommand):
    help = (
        "Print the digest for one address (its own subscription, or a stand-in): the subject "
        "and the plain-text part, or the HTML with --html. Stores and sends nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--period", choices=FREQUENCIES, help="default: the subscriber's")
        parser.add_argument(
            "--date", type=iso_date, help="a day in the period (default: the last complete one)"
        )
        parser.add_argument("--html", action="store_true", help="print the HTML part")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            email = email_clean(options["email"])
        except ValidationError as exc:
            raise CommandError(f"--email: {' '.join(exc.messages)}") from None
        day = options["date"]
        rendered = digest_preview(email=email, frequency=options["period"], day=day)
        if options["html"]:
            self.stdout.write(rendered.html)
        else:
            self.stdout.write(f"Subject: {rendered.subject}\n\n{rendered.text}")
