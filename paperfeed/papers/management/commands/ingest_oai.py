"""paperfeed ingest oai --set cs: harvest arXiv over OAI-PMH, resumable after a kill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings

from paperfeed.lib.oai import OaiError, OaiHarvester, OaiPage, read_oai_file
from paperfeed.lib.records import PaperRecord, RejectedRecord
from paperfeed.papers.commands import ImportCommand
from paperfeed.papers.importing import Checkpoint, state_clear, state_get, state_set

FORMATS = ("arXiv", "arXivRaw", "oai_dc")


class Command(ImportCommand):
    help = (
        "Harvest papers over OAI-PMH (ListRecords). The resumption token is saved after every "
        "page, so running the same command again after a kill continues where it stopped."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--set", dest="set_spec", help="OAI set, e.g. cs or physics:hep-th")
        parser.add_argument("--from", dest="from_date", type=date.fromisoformat,
                            metavar="YYYY-MM-DD", help="records changed on or after")  # fmt: skip
        parser.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="records changed on or before")  # fmt: skip
        parser.add_argument("--format", choices=FORMATS, default="arXiv",
                            help="metadataPrefix (default arXiv)")  # fmt: skip
        parser.add_argument("--file", type=Path, help="import a saved ListRecords response instead")
        parser.add_argument("--restart", action="store_true", help="ignore an interrupted harvest")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            self.import_saved_file(lambda path: read_oai_file(path).records, options)
            return
        key = ":".join(
            ["oai", options["format"], options["set_spec"] or "*",
             str(options["from_date"] or ""), str(options["until"] or "")]
        )  # fmt: skip
        if options["restart"]:
            state_clear(key)
        token = state_get(key).get("token")
        if token:
            self.stdout.write("resuming the interrupted harvest from its saved resumption token")
        harvester = OaiHarvester(base_url=settings.ARXIV_OAI_URL, delay=settings.ARXIV_API_DELAY)
        self.run_import(
            self._records(harvester, key, token, options),
            description="OAI-PMH harvest",
            options=options,
        )
        state_clear(key)

    def _records(
        self, harvester: OaiHarvester, key: str, token: str | None, options: dict[str, Any]
    ) -> Iterator[PaperRecord | RejectedRecord | Checkpoint]:
        for page in self._pages(harvester, token, options):
            yield from page.records
            next_token = page.resumption_token
            if next_token:
                yield Checkpoint(partial(state_set, key, {"token": next_token}))

    def _pages(
        self, harvester: OaiHarvester, token: str | None, options: dict[str, Any]
    ) -> Iterator[OaiPage]:
        def listing(resume: str | None) -> Iterator[OaiPage]:
            return harvester.list_records(
                metadata_prefix=options["format"], set_spec=options["set_spec"],
                from_date=options["from_date"], until=options["until"], resumption_token=resume,
            )  # fmt: skip

        pages = listing(token)
        try:
            first = next(pages, None)
        except OaiError as exc:
            if exc.code != "badResumptionToken" or not token:
                raise
            # Tokens expire; harvesting is idempotent, so start again from the beginning.
            self.stdout.write("the saved resumption token has expired; harvesting from the start")
            pages = listing(None)
            first = next(pages, None)
        if first is not None:
            yield first
            yield from pages
