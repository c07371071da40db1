from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from paperfeed.lib.hf_daily import (
    parse_daily_papers,
    parse_featured_collection,
    read_daily_papers_file,
)
from paperfeed.lib.records import FeaturedRecord, RejectedRecord, SourceError
from tests.support import SHARED_DATA

SHARED = SHARED_DATA
DAILY = SHARED / "fixtures" / "hf-daily" / "daily_papers-2024-10-25.first4.json"
FEATURED = SHARED / "hf-featured" / "papers-2023-11-to-2024-04.json"


@pytest.fixture(scope="module")
def daily_items() -> list[dict[str, Any]]:
    if not DAILY.is_file():
        pytest.fail(f"the shared data file {DAILY} is missing")
    items: list[dict[str, Any]] = json.loads(DAILY.read_bytes())
    return items


def featured(records: list[FeaturedRecord | RejectedRecord]) -> list[FeaturedRecord]:
    assert all(isinstance(record, FeaturedRecord) for record in records), records
    return [record for record in records if isinstance(record, FeaturedRecord)]


def test_it_reads_the_four_recorded_daily_papers() -> None:
    records = featured(list(read_daily_papers_file(DAILY)))
    assert [r.paper.arxiv_id for r in records] == [
        "2410.17243", "2410.16251", "2410.18533", "2410.18693",
    ]  # fmt: skip
    assert [(r.upvotes, r.num_comments, r.submitted_by) for r in records] == [
        (64, 3, "ClownRat"), (41, 2, "canyuchen"), (37, 2, "ZetangForward"), (35, 2, "dyyyyyyyy"),
    ]  # fmt: skip
    assert {r.featured_on for r in records} == {date(2024, 10, 25)}
    assert all(r.paper.source == "hf-daily" for r in records)


def test_it_maps_a_daily_paper_exactly() -> None:
    first = featured(list(read_daily_papers_file(DAILY)))[0]
    paper = first.paper
    assert paper.title == (
        "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for\n  Contrastive Loss"
    )
    assert paper.authors == [
        "Zesen Cheng", "Hang Zhang", "Kehan Li", "Sicong Leng", "Zhiqiang Hu", "Fei Wu",
        "Deli Zhao", "Xin Li", "Lidong Bing",
    ]  # fmt: skip
    assert paper.published == datetime(2024, 10, 22, 17, 59, 30, tzinfo=UTC)
    assert paper.abstract.startswith("Contrastive loss is a powerful approach")
    assert paper.abstract.endswith("The code will be made publicly available.")
    third = featured(list(read_daily_papers_file(DAILY)))[2]
    assert third.paper.title == (
        "LOGO -- Long cOntext aliGnment via efficient preference Optimization"
    )


def test_the_newer_schema_takes_the_featured_day_and_submitter_from_its_own_fields(
    daily_items: list[dict[str, Any]],
) -> None:
    item = copy.deepcopy(daily_items[0])
    item["submittedOnDailyAt"] = "2024-10-24T23:10:00.000Z"
    item["submittedOnDailyBy"] = {"_id": "x", "fullname": "Zesen Cheng", "user": "zesen"}
    del item["submittedBy"]
    item.update(
        ai_summary="A summary.",
        ai_keywords=["loss"],
        githubRepo="https://github.com/x/y",
        githubStars=12,
        projectPage="https://x.org",
        organization={"name": "org"},
    )
    (record,) = featured(list(parse_daily_papers(json.dumps([item]))))
    assert record.featured_on == date(2024, 10, 24)
    assert record.submitted_by == "zesen"
    assert record.upvotes == 64 and record.num_comments == 3
    del item["submittedOnDailyBy"]["user"]
    (record,) = featured(list(parse_daily_papers([item])))
    assert record.submitted_by == "Zesen Cheng"  # no handle: the full name


def test_bad_daily_items_are_rejected_and_the_rest_kept(daily_items: list[dict[str, Any]]) -> None:
    no_id = copy.deepcopy(daily_items[0])
    del no_id["paper"]["id"]
    bad_id = copy.deepcopy(daily_items[0])
    bad_id["paper"]["id"] = "not-an-id"
    no_title = copy.deepcopy(daily_items[0])
    no_title["paper"]["title"] = no_title["title"] = ""
    records = list(parse_daily_papers([no_id, daily_items[1], bad_id, no_title, "text"]))
    assert isinstance(records[1], FeaturedRecord)
    rejected = {r.location: r.reason for r in records if isinstance(r, RejectedRecord)}
    assert list(rejected) == ["item 1", "item 3", "item 4", "item 5"]
    assert rejected["item 1"] == "missing arXiv id (found None)"
    assert rejected["item 3"].startswith("'not-an-id' is not an arXiv id")
    assert rejected["item 4"] == "2410.17243 has no title"
    assert rejected["item 5"] == "not a JSON object"


def test_a_response_that_is_not_a_list_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="expected a list"):
        list(parse_daily_papers(b'{"error": "rate limited"}'))
    with pytest.raises(SourceError, match="not valid JSON"):
        list(parse_daily_papers(b"<html>"))


def test_the_featured_collection_parses_fully() -> None:
    records = featured(list(parse_featured_collection(FEATURED.read_bytes())))
    assert len(records) == 753
    assert len({r.paper.arxiv_id for r in records}) == 753
    by_id = {r.paper.arxiv_id: r for r in records}
    larp = by_id["2312.17653"]
    assert larp.paper.title == "LARP: Language-Agent Role Play for Open-World Games"
    assert larp.paper.authors == [
        "Ming Yan", "Ruihao Li", "Hao Zhang", "Hao Wang", "Zhilan Yang", "Ji Yan",
    ]  # fmt: skip
    assert larp.paper.source == "hf-featured"
    assert larp.paper.published == datetime(2023, 12, 24, 10, 8, 59, tzinfo=UTC)
    assert larp.featured_on == date(2023, 12, 24)
    assert larp.upvotes == 29 and larp.submitted_by is None and larp.num_comments == 0
    pangu = by_id["2312.17276"]
    assert pangu.paper.title == (
        "PanGu-$\u03c0$: Enhancing Language Model Architectures via Nonlinearity\n  Compensation"
    )
    assert pangu.paper.authors[:3] == ["Yunhe Wang", "Hanting Chen", "Yehui Tang"]
    assert len(pangu.paper.authors) == 20
    assert pangu.featured_on == date(2023, 12, 27) and pangu.upvotes == 14


def test_bad_featured_items_are_rejected_by_key() -> None:
    data = {
        "2312.17653": {"title": "Fine", "publication_date": "2023-12-24T10:08:59Z"},
        "oops": {"url": "https://example.org/x", "title": "No id"},
        "2312.17681": {"title": "", "publication_date": "2023-12-29T16:57:12Z"},
        "2312.17276": {"title": "No date"},
    }
    records = list(parse_featured_collection(json.dumps(data).encode()))
    assert isinstance(records[0], FeaturedRecord)
    rejected = {r.location: r.reason for r in records if isinstance(r, RejectedRecord)}
    assert list(rejected) == ["item oops", "item 2312.17681", "item 2312.17276"]
    assert rejected["item oops"].startswith("'oops' is not an arXiv id")
    assert rejected["item 2312.17681"] == "2312.17681 has no title"
    assert rejected["item 2312.17276"] == "2312.17276 has no publication date"


def test_an_unreadable_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        read_daily_papers_file(tmp_path / "missing.json")
