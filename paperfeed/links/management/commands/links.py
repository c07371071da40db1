"""paperfeed links: the links of papers (code, project pages, Hugging Face, DOIs) and the GitHub
metadata of their repositories."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paperfeed.lib.records import SourceError
from paperfeed.links.services import (
    github_client,
    links_rebuild,
    repositories_refresh,
    repositories_stats,
)
from paperfeed.papers.commands import StageProgress, positive_int


class Command(BaseCommand):
    help = (
        "Links found in the papers' abstracts, comments and journal-refs (new papers get theirs "
        "as they are stored): --rebuild finds them again for every paper, --refresh asks GitHub "
        "for the stars, language and licence of the repositories that are due. Without an "
        "option, prints what is stored."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="find the links of every paper again"
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="ask GitHub about the repositories that are due (PAPERFEED_GITHUB_TOKEN "
            "raises GitHub's limit from 60 to 5,000 an hour)",
        )
        parser.add_argument(
            "--limit", type=positive_int, default=None,
            help="with --refresh: check at most this many repositories",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            with StageProgress() as progress:
                if options["rebuild"]:
                    stored = links_rebuild(progress=progress)
                    self.stdout.write(f"links: {stored:,} stored")
                if options["refresh"]:
                    with github_client() as client:
                        summary = repositories_refresh(
                            client=client, limit=options["limit"], progress=progress
                        )
                    self.stdout.write(str(summary))
        except SourceError as exc:
            raise CommandError(f"GitHub could not be reached: {exc}") from None
        except KeyboardInterrupt:
            raise CommandError(
                "interrupted; what was done so far is kept: run the command again to continue",
                returncode=130,
            ) from None
        for name, value in repositories_stats().items():
            self.stdout.write(f"{name}: {value:,}")
        if options["rebuild"] or options["refresh"]:
            self.stdout.write(f"done in {time.monotonic() - started:,.1f} s")
