"""Small builders for PaperRecord, with real-looking defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from paperfeed.lib.records import PaperRecord, Version


def record(arxiv_id: str = "2401.00001", version: int = 1, **fields: Any) -> PaperRecord:
    day = fields.pop("day", 1)
    created = datetime(2024, 1, day, 12, tzinfo=UTC)
    defaults: dict[str, Any] = {
        "title": f"A study of {arxiv_id}",
        "abstract": "We study things.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.LG", "stat.ML"],
        "source": "kaggle",
        "version": version,
        "versions": [
            Version(n, datetime(2024, 1, n, 12, tzinfo=UTC)) for n in range(1, version + 1)
        ],
        "published": datetime(2024, 1, 1, 12, tzinfo=UTC),
        "updated": created if version == 1 else datetime(2024, 1, version, 12, tzinfo=UTC),
    }
    defaults.update(fields)
    return PaperRecord(arxiv_id=arxiv_id, **defaults)
