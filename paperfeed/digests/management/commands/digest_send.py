"""paperfeed digest send: compose the period's editions and send every due delivery."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paperfeed.community.selectors import featured_latest_day
from paperfeed.digests.alert_editions import alerts_edition_prepare
from paperfeed.digests.editions import NO_PAPERS, Prepared, default_day, edition_prepare
from paperfeed.digests.models import FREQUENCIES
from paperfeed.digests.sending import Sender, SendingStopped, Summary
from paperfeed.papers.commands import iso_date


class Command(BaseCommand):
    help = (
        "Compose the daily and weekly editions (by default of the last complete day and week, "
        "in PAPERFEED_TIME_ZONE), create one delivery per confirmed subscriber (and an alerts "
        "email for readers with alert news that no digest carries), and send every "
        "due delivery over SMTP (or into the outbox). Safe to re-run and to run twice at once: "
        "each message is sent once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", choices=FREQUENCIES, help="only daily or weekly")
        parser.add_argument(
            "--date", type=iso_date, help="a day in the period to send (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--no-wait", action="store_true",
            help="leave deliveries waiting for a retry to the next run instead of waiting",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"]
        editions = []
        for frequency in [options["period"]] if options["period"] else list(FREQUENCIES):
            prepared = edition_prepare(frequency=frequency, day=day or default_day(frequency))
            label = f"{frequency} {prepared.period.slug}"
            if prepared.edition is None:
                self.stdout.write(f"{label}: not sent ({prepared.reason}){_hint(prepared)}")
                continue
            editions.append(prepared.edition.pk)
            state = f"composed, {prepared.deliveries} deliveries" if prepared.created else "found"
            self.stdout.write(f"{label}: {state}")
        for frequency in [options["period"]] if options["period"] else list(FREQUENCIES):
            # After the digests: a reader whose digest goes out gets their alerts in it.
            alerts = alerts_edition_prepare(frequency=frequency, day=day or default_day(frequency))
            if alerts.edition is not None:
                self.stdout.write(
                    f"{frequency} alerts {alerts.period.slug}: {alerts.deliveries} new deliveries"
                )
        sender = Sender(wait=not options["no_wait"])
        with _progress(sender.due()) as advance:
            sender.progress = advance
            try:
                summary = sender.run()
            except SendingStopped as exc:
                done = sender.summary
                raise CommandError(
                    f"{exc}\nstopped after sending {done.sent}; the rest stay pending for the "
                    "next run (check PAPERFEED_SMTP_URL)"
                ) from None
        self.stdout.write(
            f"sent {summary.sent}, skipped {summary.skipped}, failed {summary.failed}"
            + (f" ({summary.retried} transient failures retried)" if summary.retried else "")
        )
        for error in summary.errors[:20]:
            self.stderr.write(f"failed: {error}")


def _hint(prepared: Prepared) -> str:
    """Where a newcomer with an older catalogue (the bundled sample) finds an edition."""
    if prepared.reason != NO_PAPERS:
        return ""
    latest = featured_latest_day(on_or_before=prepared.period.start)
    return (
        f"; the latest day with featured papers is {latest}: try --date {latest}" if latest else ""
    )


class _progress:
    """A progress bar on stderr when it is a terminal."""

    def __init__(self, total: int) -> None:
        console = Console(file=sys.stderr)
        self.bar = Progress(
            TextColumn("[bold]sending"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[note]}"), console=console, disable=not console.is_terminal,
        )  # fmt: skip
        self.task = self.bar.add_task("sending", total=total, note="")

    def __enter__(self) -> Any:
        self.bar.start()

        def advance(summary: Summary) -> None:
            done = summary.sent + summary.skipped + summary.failed
            note = f"{summary.failed} failed" if summary.failed else ""
            self.bar.update(self.task, completed=done, note=note)

        return advance

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()
