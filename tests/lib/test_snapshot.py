from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperfeed.lib.records import PaperRecord, RejectedRecord, SourceError, Version
from paperfeed.lib.snapshot import parse_snapshot_line, read_snapshot
from tests.support import SHARED_DATA

SHARED = SHARED_DATA
HEAD = SHARED / "arxiv" / "kaggle-snapshot-head-200.jsonl"
OLD_STYLE = Path(__file__).resolve().parents[1] / "fixtures" / "kaggle" / "old-style-ids.jsonl"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture(scope="module")
def head() -> dict[str, PaperRecord]:
    if not HEAD.is_file():
        pytest.fail(f"the shared data file {HEAD} is missing")
    records = list(read_snapshot(HEAD))
    assert all(isinstance(record, PaperRecord) for record in records)
    return {record.arxiv_id: record for record in records if isinstance(record, PaperRecord)}


def test_every_line_of_the_real_snapshot_head_is_a_paper(head: dict[str, PaperRecord]) -> None:
    assert len(head) == 200
    assert all(record.source == "kaggle" and record.title for record in head.values())


def test_it_maps_every_field_of_the_first_paper(head: dict[str, PaperRecord]) -> None:
    assert head["0704.0001"] == PaperRecord(
        arxiv_id="0704.0001",
        title="Calculation of prompt diphoton production cross sections at Tevatron and\n"
        "  LHC energies",
        source="kaggle",
        abstract=head["0704.0001"].abstract,
        authors=["C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"],
        categories=["hep-ph"],
        version=2,
        versions=[
            Version(1, utc(2007, 4, 2, 19, 18, 42)),
            Version(2, utc(2007, 7, 24, 20, 10, 27)),
        ],
        published=utc(2007, 4, 2, 19, 18, 42),
        updated=utc(2008, 11, 26),
        comments="37 pages, 15 figures; published version",
        journal_ref="Phys.Rev.D76:013009,2007",
        doi="10.1103/PhysRevD.76.013009",
        report_no="ANL-HEP-PR-07-12",
        license=None,
        submitter="Pavel Nadolsky",
    )
    abstract = head["0704.0001"].abstract
    assert abstract.startswith("A fully differential calculation in perturbative quantum")
    assert abstract.endswith("can be obtained with judicious\nselection of events.")


def test_it_keeps_every_version_and_the_latest_date(head: dict[str, PaperRecord]) -> None:
    record = head["0704.0064"]
    assert record.version == 5
    assert [version.number for version in record.versions] == [1, 2, 3, 4, 5]
    assert record.versions[4].created == utc(2008, 10, 24, 12, 23, 58)
    assert record.published == utc(2007, 4, 1, 13, 32, 15)
    assert record.updated == utc(2008, 11, 26)  # update_date, later than v5
    assert head["0704.0019"].updated == utc(2007, 6, 23, 19, 58, 14)  # v2, later than update_date
    assert record.categories == ["hep-th"]
    assert record.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def test_it_keeps_authors_as_raw_latex_and_drops_affiliations(
    head: dict[str, PaperRecord],
) -> None:
    assert head["0704.0062"].authors == [
        "Rastislav \\v{S}r\\'amek", "Bro\\v{n}a Brejov\\'a", "Tom\\'a\\v{s} Vina\\v{r}",
    ]  # fmt: skip
    assert head["0704.0049"].authors == ["Mikkel {\\O}bro"]
    assert head["0704.0025"].authors == ["A. S. Mishchenko", "N. Nagaosa"]
    assert head["0704.0002"].categories == ["math.CO", "cs.CG"]


def test_it_reads_old_style_ids() -> None:
    first, second = read_snapshot(OLD_STYLE)
    assert isinstance(first, PaperRecord) and isinstance(second, PaperRecord)
    assert first.arxiv_id == "astro-ph/0601001"
    assert first.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert first.published == first.updated == utc(2006, 1, 2, 14, 57, 58)
    assert first.journal_ref == "ActaAstron.56:1-50,2006"
    assert second.arxiv_id == "hep-th/9504118"
    assert second.report_no == "GOET-TP 101/95"
    assert second.updated == utc(2015, 1, 3)


def line(**fields: object) -> bytes:
    record = {"id": "0704.0001", "title": "A title", "versions": [], **fields}
    return json.dumps(record).encode()


def test_it_reads_the_dates_of_the_daily_listing_sample() -> None:
    record = parse_snapshot_line(
        line(
            versions=[{"version": "v1", "created": "Tue, 18 Mar 2025 00:00:00 +0000"}],
            update_date="2025-03-18",
            categories="cs.CV  cs.RO\n",
            authors="A. B and C. D",
        ),
        1,
    )
    assert isinstance(record, PaperRecord)
    assert record.published == record.updated == utc(2025, 3, 18)
    assert record.categories == ["cs.CV", "cs.RO"]
    assert record.authors == ["A. B", "C. D"]


def test_it_falls_back_to_authors_parsed_and_to_none_for_empty_fields() -> None:
    record = parse_snapshot_line(
        line(authors="", authors_parsed=[["Yuan", "C. -P.", ""], ["Smith", "John", "Jr"]],
             doi="", comments="  ", versions=[{"version": "v2", "created": "garbage"}]),
        1,
    )  # fmt: skip
    assert isinstance(record, PaperRecord)
    assert record.authors == ["C. -P. Yuan", "John Smith Jr"]
    assert record.doi is None and record.comments is None
    assert record.versions == [Version(2, None)]
    assert record.version == 2 and record.published is None and record.updated is None


def test_bad_lines_are_rejected_with_their_line_and_the_rest_still_parse(tmp_path: Path) -> None:
    good = HEAD.read_bytes().splitlines()[:3]
    lines = [
        good[0],
        b'{"id": "0704.9999", "title": "Truncated',
        b'{"id": "0704.9998", "title": "caf\xe9"}',
        json.dumps({"title": "No id"}).encode(),
        json.dumps({"id": "not-an-id", "title": "Bad id"}).encode(),
        json.dumps({"id": "0704.9997"}).encode(),
        json.dumps({"id": "0704.9996", "title": "  "}).encode(),
        json.dumps(["0704.9995", "a list"]).encode(),
        b"",
        b"   ",
        good[1],
        good[2],
    ]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    records = list(read_snapshot(path))
    papers = [record.arxiv_id for record in records if isinstance(record, PaperRecord)]
    assert papers == ["0704.0001", "0704.0002", "0704.0003"]
    rejected = {r.location: r.reason for r in records if isinstance(r, RejectedRecord)}
    assert list(rejected) == [f"line {n}" for n in (2, 3, 4, 5, 6, 7, 8)]
    assert rejected["line 2"].startswith("invalid JSON")
    assert rejected["line 3"] == "not valid UTF-8 (byte 0xe9 at position 33)"
    assert "missing id" in rejected["line 4"]
    assert "'not-an-id' is not an arXiv id" in rejected["line 5"]
    assert rejected["line 6"] == "0704.9997 has no title"
    assert rejected["line 7"] == "0704.9996 has no title"
    assert rejected["line 8"].startswith("not a JSON object")


def test_a_field_of_the_wrong_type_rejects_only_its_line() -> None:
    rejected = parse_snapshot_line(line(abstract=["not", "text"]), 9)
    assert isinstance(rejected, RejectedRecord)
    assert rejected.location == "line 9"
    assert rejected.reason.startswith("unexpected field value")


def test_a_gzipped_snapshot_reads_like_the_plain_one(tmp_path: Path) -> None:
    path = tmp_path / "head.jsonl.gz"
    path.write_bytes(gzip.compress(HEAD.read_bytes()))
    assert list(read_snapshot(path)) == list(read_snapshot(HEAD))
    unnamed = tmp_path / "head-without-extension"
    unnamed.write_bytes(path.read_bytes())
    assert len(list(read_snapshot(unnamed))) == 200  # recognised by its first bytes


def test_a_corrupt_gzip_file_raises_source_error(tmp_path: Path) -> None:
    data = gzip.compress(HEAD.read_bytes())
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="broken.jsonl.gz is not a readable gzip file"):
        list(read_snapshot(path))
    path.write_bytes(b"not gzip at all\n")
    with pytest.raises(SourceError, match="not a readable gzip file"):
        list(read_snapshot(path))


def test_a_missing_file_raises_source_error_at_once(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"cannot read .*nope\.jsonl: no such file"):
        read_snapshot(tmp_path / "nope.jsonl")
    with pytest.raises(SourceError, match="is a directory"):
        read_snapshot(tmp_path)


def test_an_id_that_is_not_a_string_is_rejected() -> None:
    rejected = parse_snapshot_line(b'{"id": 704.0001, "title": "A number"}', 4)
    assert rejected == RejectedRecord(location="line 4", reason="bad id 704.0001: not a string")
