"""Import featured papers (papers plus their community signal) through the one ingest path."""

from __future__ import annotations

from paperfeed.community.services import featured_upsert_batch
from paperfeed.lib.records import FeaturedRecord
from paperfeed.papers.importing import Importer
from paperfeed.papers.ingest import BatchResult


def featured_importer(*, source: str) -> Importer[FeaturedRecord]:
    """An Importer that stores each record's paper, then features it, in one transaction."""
    importer: Importer[FeaturedRecord] = Importer(paper_of=lambda item: item.paper)
    extra = importer.summary.extra
    extra.update(featured=0, refreshed=0)

    def after_batch(batch: list[FeaturedRecord], result: BatchResult) -> None:
        featured, refreshed = featured_upsert_batch(
            records=batch, paper_ids=result.ids, source=source
        )
        extra["featured"] += featured
        extra["refreshed"] += refreshed

    importer.after_batch = after_batch
    return importer
