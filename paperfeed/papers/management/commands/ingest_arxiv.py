"""paperfeed ingest arxiv --category cs.LG: the latest papers of categories from the arXiv API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from paperfeed.lib.arxiv_api import ArxivApiClient, AtomPage, SortBy, read_atom_file
from paperfeed.lib.records import PaperRecord, RejectedRecord
from paperfeed.papers.commands import ImportCommand, positive_int
from paperfeed.papers.importing import Checkpoint, state_clear, state_get, state_set
from paperfeed.papers.models import Paper

SORTS: dict[str, SortBy] = {"submitted": "submittedDate", "updated": "lastUpdatedDate"}


class Command(ImportCommand):
    help = (
        "Fetch the newest papers of one or more categories from the arXiv API, newest first, "
        "until reaching papers already stored (or --since). Interrupted runs resume."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--category", action="append", default=[], metavar="CAT",
                            help="arXiv category, e.g. cs.LG (repeat for several)")  # fmt: skip
        parser.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="fetch back to this date even past stored papers")  # fmt: skip
        parser.add_argument("--sort", choices=sorted(SORTS), default="submitted")
        parser.add_argument(
            "--max", type=positive_int, default=None, help="at most this many papers"
        )
        parser.add_argument(
            "--page-size", type=int, default=200, help="papers per request (<= 2000)"
        )
        parser.add_argument("--file", type=Path, help="import a saved API response instead")
        parser.add_argument("--restart", action="store_true", help="ignore an interrupted run")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            self.import_saved_file(lambda path: read_atom_file(path).entries, options)
            return
        categories = sorted(set(options["category"]))
        if not categories:
            raise CommandError("give at least one --category, e.g. --category cs.LG")
        if not 1 <= options["page_size"] <= 2000:
            raise CommandError("--page-size must be between 1 and 2000 (arXiv's limit)")
        key = f"arxiv-api:{'+'.join(categories)}:{options['sort']}"
        if options["restart"]:
            state_clear(key)
        saved = state_get(key).get("until")
        until = datetime.fromisoformat(saved) if saved else None
        if until:
            at = f"{until:%Y-%m-%d %H:%M}"
            self.stdout.write(f"resuming the listing of {', '.join(categories)} at papers of {at}")
        client = ArxivApiClient(base_url=settings.ARXIV_API_URL, delay=settings.ARXIV_API_DELAY)
        pages = client.search(
            categories=categories, sort_by=SORTS[options["sort"]], until=until,
            page_size=options["page_size"], max_results=options["max"],
        )  # fmt: skip
        options["batch_size"] = options["batch_size"] or options["page_size"]
        listing = Listing(key=key, since=options["since"], by_update=options["sort"] == "updated")
        self.run_import(
            listing.records(pages, self.stdout),
            description=f"arXiv {', '.join(categories)}",
            options=options,
        )
        state_clear(key)


class Listing:
    """Walks a newest-first listing page by page, saving after each page the date it has reached,
    and stops at papers already stored, or older than `since`."""

    def __init__(self, *, key: str, since: date | None, by_update: bool) -> None:
        self.key = key
        self.cutoff = datetime.combine(since, datetime.min.time(), UTC) if since else None
        self.by_update = by_update

    def records(
        self, pages: Iterator[AtomPage], out: Any
    ) -> Iterator[PaperRecord | RejectedRecord | Checkpoint]:
        for page in pages:
            papers = [e for e in page.entries if isinstance(e, PaperRecord)]
            fresh = [p for p in papers if self.cutoff is None or self.date(p) >= self.cutoff]
            if self.cutoff is None and papers and _all_stored(papers):
                out.write("reached papers already stored; stopping")
                return
            yield from (e for e in page.entries if not isinstance(e, PaperRecord))
            yield from fresh
            if papers:
                # Resume from a date, not an offset: papers listed meanwhile would shift offsets.
                reached = min(self.date(p) for p in papers).isoformat()
                yield Checkpoint(partial(state_set, self.key, {"until": reached}))
            if self.cutoff is not None and len(fresh) < len(papers):
                out.write(f"reached papers older than {self.cutoff:%Y-%m-%d}; stopping")
                return

    def date(self, record: PaperRecord) -> datetime:
        """The date the listing is sorted by."""
        first, second = (
            (record.updated, record.published)
            if self.by_update
            else (record.published, record.updated)
        )
        return first or second or datetime.max.replace(tzinfo=UTC)


def _all_stored(records: list[PaperRecord]) -> bool:
    """True when every paper of the page is stored at the same or a newer version."""
    stored = dict(
        Paper.objects.filter(arxiv_id__in=[r.arxiv_id for r in records]).values_list(
            "arxiv_id", "version"
        )
    )
    return all(r.arxiv_id in stored and stored[r.arxiv_id] >= (r.version or 1) for r in records)
