from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from paperfeed.lib.oai import (
    OaiBadResumptionToken,
    OaiError,
    OaiHarvester,
    OaiPage,
    parse_oai_response,
    read_oai_file,
    split_authors,
)
from paperfeed.lib.records import PaperRecord, RejectedRecord, Version
from tests.support import FakeTime, fixture_path, nock_headers, recorded_nock, utc
from tests.support.replay import ReplayServer, Reply

RAW = "oai-pmh/arxivraw/"
FIRST_TOKEN = "726959|1001"


def raw(name: str) -> str:
    return fixture_path(RAW + name).read_text(encoding="utf-8")


def last_page(first_page: str) -> str:
    """The recorded first page turned into a final one: two records and an empty token."""
    records = re.findall(r"<record>.*?</record>\n", first_page, flags=re.DOTALL)
    text = first_page.replace("".join(records[:4]), "")
    final_token = '<resumptionToken cursor="1001" completeListSize="58011"/>'
    return re.sub(r"<resumptionToken[^>]*>[^<]*</resumptionToken>", final_token, text)


def papers(page: OaiPage) -> list[PaperRecord]:
    return [record for record in page.records if isinstance(record, PaperRecord)]


def harvester(replay: ReplayServer, fake_time: FakeTime, **options: int) -> OaiHarvester:
    return OaiHarvester(
        base_url=f"{replay.url}/oai",
        delay=options.get("delay", 3),
        max_retries=options.get("max_retries", 3),
        sleep=fake_time.sleep,
        clock=fake_time.monotonic,
    )


# Parsing recorded responses


def test_it_reads_an_arxivraw_page_with_its_resumption_token() -> None:
    page = read_oai_file(fixture_path(RAW + "ListRecordsResponse.xml"))
    assert [r.arxiv_id for r in papers(page)] == [
        "0704.0471", "0704.0716", "0704.0874", "0704.1109", "0704.1114", "0704.1586",
    ]  # fmt: skip
    assert (page.resumption_token, page.complete_list_size, page.cursor) == (FIRST_TOKEN, 58011, 0)
    assert page.deleted == []


def test_it_reads_every_arxivraw_field() -> None:
    paper = papers(parse_oai_response(raw("ListRecordsResponse.xml")))[1]
    assert paper == PaperRecord(
        arxiv_id="0704.0716",
        title="Limit distributions and scaling functions",
        source="oai",
        abstract=paper.abstract,
        authors=["Christoph Richard"],
        categories=["math-ph", "math.MP"],
        version=4,
        versions=[
            Version(1, utc(2007, 4, 5, 12, 45, 3), "43kb"),
            Version(2, utc(2007, 9, 28, 15, 13, 43), "48kb"),
            Version(3, utc(2008, 2, 29, 16, 5, 39), "48kb"),
            Version(4, utc(2008, 11, 14, 9, 7, 25), "49kb"),
        ],
        published=utc(2007, 4, 5, 12, 45, 3),
        updated=utc(2008, 11, 14, 9, 7, 25),
        comments="54 pages, 2 figures; v2 updated and slightly expanded; v3 changes in some "
        "proofs; v4 slightly expanded",
        journal_ref="Polygons, polyominoes and polycubes, 247-299, Lecture Notes in Phys., 775, "
        "Springer, Dordrecht, 2009",
        license="http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        submitter="Christoph Richard",
    )
    assert paper.abstract.startswith("We discuss the asymptotic behaviour of models of lattice")


def test_it_splits_arxivraw_author_lists() -> None:
    page = parse_oai_response(raw("ListRecordsResponse.xml"))
    authors = [r.authors for r in papers(page)]
    assert authors[0] == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]  # "B, and C"
    assert authors[3] == ["Valeria M. Rosa", "Patricio S. letelier"]
    assert authors[5] == ["N.C. Summers", "F.M. Nunes"]
    [record] = papers(parse_oai_response(raw("GetRecordResponse.xml")))
    assert record.authors == [
        "Joshua Berger",
        "Maxim Perelstein",
        "Michael Saelim",
        "Philip Tanedo",
    ]
    assert (record.arxiv_id, record.version) == ("1302.2146", 2)
    assert record.categories == ["hep-ph", "hep-ex"]
    assert record.doi is None and record.submitter == "Michael Saelim"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("A. Smith", ["A. Smith"]),
        ("A. Smith and B. Jones", ["A. Smith", "B. Jones"]),
        ("A. Smith, B. Jones, and C. Brown", ["A. Smith", "B. Jones", "C. Brown"]),
        ("John Smith, Jr. and Ann Andersen", ["John Smith Jr.", "Ann Andersen"]),
        ("A. Smith (MIT, Cambridge), B. Jones", ["A. Smith (MIT, Cambridge)", "B. Jones"]),
        ("Alexander Sandler,\n  Randall Anderson", ["Alexander Sandler", "Randall Anderson"]),
        ("", []),
    ],
)
def test_it_splits_author_strings(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


def test_it_reads_the_arxiv_format() -> None:
    name = "oai-pmh/arxiv-format/oaipmh-getrecord---should-get-a-record.json"
    [paper] = papers(read_oai_file(fixture_path(name)))
    assert (paper.arxiv_id, paper.authors) == ("1412.8544", ["Sander Uijlen", "Bas Westerbaan"])
    assert paper.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert (paper.published, paper.updated) == (utc(2014, 12, 29), utc(2014, 12, 29))
    assert paper.journal_ref == "EPTCS 172, 2014, pp. 154-164"
    assert paper.doi == "10.4204/EPTCS.172.11"
    assert paper.comments == "In Proceedings QPL 2014, arXiv:1412.8102"
    assert paper.categories == ["cs.DM"] and paper.version is None


def test_it_reads_an_old_style_record_in_the_arxiv_format() -> None:
    name = "oai-pmh/arxiv-format/oaipmh-listrecords---should-list-identifiers-from-arxiv.json"
    page = read_oai_file(fixture_path(name))  # the recording's 503 comes first; the 200 is read
    paper = papers(page)[1]
    assert (paper.arxiv_id, paper.authors) == ("hep-th/9504118", ["M. Requardt"])
    assert paper.report_no == "GOET-TP 101/95"
    assert 'the "strength" of the bonds' in paper.abstract
    assert page.resumption_token is None


def test_it_reads_dublin_core() -> None:
    page = read_oai_file(fixture_path("oai-pmh/oai_dc/ListRecordsResponse.xml"))
    first, second = papers(page)
    assert first == PaperRecord(
        arxiv_id="0802.3300",
        title="Projective Expected Utility",
        source="oai",
        abstract=first.abstract,
        authors=["Pierfrancesco La Mura"],
        published=utc(2008, 2, 22),
        updated=utc(2008, 2, 22),
        comments="7 pages, to appear in the Proceedings of Quantum Interaction 2008",
        journal_ref="J. of Math. Psychology, 53:5 (2009)",
        doi="10.1016/j.jmp.2009.02.001",
    )
    assert second.authors == ["Michael Hahsler", "Kurt Hornik"]
    assert second.title == "New probabilistic interest measures for association rules"
    assert second.abstract.startswith("Mining association rules is an important technique")


def test_it_lists_deleted_records_apart() -> None:
    text = raw("ListRecordsResponse.xml")
    header = "<header>\n <identifier>oai:arXiv.org:0704.0716</identifier>"
    text = text.replace(header, header.replace("<header>", '<header status="deleted">'))
    text = re.sub(r"(0704\.0716</identifier>.*?</header>\n)<metadata>.*?</metadata>\n", r"\1",
                  text, flags=re.DOTALL)  # fmt: skip
    page = parse_oai_response(text)
    assert page.deleted == ["0704.0716"]
    assert "0704.0716" not in [r.arxiv_id for r in papers(page)]
    assert len(page.records) == 5


def test_it_rejects_a_record_it_cannot_read() -> None:
    text = raw("ListRecordsResponse.xml").replace("<id>0704.0874</id>", "<id>07.0874</id>")
    text = re.sub(r"<title>Limit distributions[^<]*</title>", "", text)
    records = parse_oai_response(text).records
    no_title, bad_id = records[1:3]
    assert no_title == RejectedRecord(
        "record 2 (oai:arXiv.org:0704.0716)", "the record has no title"
    )
    assert isinstance(bad_id, RejectedRecord) and "'07.0874' is not an arXiv id" in bad_id.reason
    assert [type(r).__name__ for r in records].count("PaperRecord") == 4


@pytest.mark.parametrize(
    ("name", "code", "kind", "words"),
    [
        ("ErrorResponseBadArgument.xml", "badArgument", OaiError, "illegal argument 'identifier'"),
        ("ErrorResponseBadVerb.xml", "badVerb", OaiError, "Verb 'wah' not implemented"),
        ("ErrorResponseIdDoesNotExist.xml", "idDoesNotExist", OaiError, "0813.2274"),
        ("ErrorResponseBadResumptionToken.xml", "badResumptionToken", OaiBadResumptionToken,
         "illegal for this repository"),
    ],
)  # fmt: skip
def test_it_raises_protocol_errors_by_name(
    name: str, code: str, kind: type[OaiError], words: str
) -> None:
    with pytest.raises(kind) as raised:
        parse_oai_response(raw(name))
    assert type(raised.value) is kind and raised.value.code == code
    assert f"OAI-PMH error {code}: " in str(raised.value) and words in str(raised.value)


def test_no_records_match_is_an_empty_page() -> None:
    page = parse_oai_response(raw("ErrorResponseNoRecordsMatch.xml"))
    assert (page.records, page.deleted, page.resumption_token) == ([], [], None)


def test_an_empty_token_ends_the_list() -> None:
    name = "oaipmh-listidentifiers---should-list-identifiers-with-resumption-token-from-gulbenkian"
    final = recorded_nock(name)[1]["response"]
    assert '<resumptionToken completeListSize="154" cursor="1" />' in final
    page = parse_oai_response(final)
    assert (page.resumption_token, page.complete_list_size, page.cursor) == (None, 154, 1)


@pytest.mark.parametrize("content", ["<html>busy</html>", "[]", "no xml", '{"a": 1}'])
def test_it_refuses_a_file_that_is_not_oai(tmp_path: Path, content: str) -> None:
    saved = tmp_path / "saved"
    saved.write_text(content)
    with pytest.raises(OaiError):
        read_oai_file(saved)


# The harvester against the replay server


def test_it_follows_the_resumption_token(replay: ReplayServer, fake_time: FakeTime) -> None:
    first = raw("ListRecordsResponse.xml")
    query = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": "physics"}
    query |= {"from": "2014-10-01", "until": "2014-10-31"}
    replay.add("/oai", query, Reply(200, first, {"Content-Type": "text/xml"}))
    replay.add(
        "/oai",
        {"verb": "ListRecords", "resumptionToken": FIRST_TOKEN},
        Reply(200, last_page(first)),
    )
    pages = list(
        harvester(replay, fake_time).list_records(
            metadata_prefix="arXivRaw",
            set_spec="physics",
            from_date=date(2014, 10, 1),
            until=date(2014, 10, 31),
        )
    )
    assert [request.query for request in replay.requests] == [
        query,
        {"verb": "ListRecords", "resumptionToken": FIRST_TOKEN},
    ]
    assert [len(page.records) for page in pages] == [6, 2]
    assert [page.resumption_token for page in pages] == [FIRST_TOKEN, None]
    assert pages[1].cursor == 1001 and fake_time.sleeps == [3.0]


def test_a_stopped_harvest_resumes_from_the_saved_token(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    first = raw("ListRecordsResponse.xml")
    replay.add("/oai", {"verb": "ListRecords", "metadataPrefix": "arXivRaw"}, Reply(200, first))
    replay.add(
        "/oai",
        {"verb": "ListRecords", "resumptionToken": FIRST_TOKEN},
        Reply(200, last_page(first)),
    )
    saved = None
    for page in harvester(replay, fake_time).list_records(metadata_prefix="arXivRaw"):
        saved = page.resumption_token  # stored with the page, then the process is killed
        break
    assert saved == FIRST_TOKEN and len(replay.requests) == 1
    resumed = list(harvester(replay, fake_time).list_records(resumption_token=saved))
    assert [[r.arxiv_id for r in papers(page)] for page in resumed] == [["0704.1114", "0704.1586"]]
    assert replay.requests[1].query == {"verb": "ListRecords", "resumptionToken": FIRST_TOKEN}
    assert len(replay.requests) == 2 and replay.pending() == {}


def test_it_honours_retry_after_from_arxiv(replay: ReplayServer, fake_time: FakeTime) -> None:
    exchanges = recorded_nock("oaipmh-listrecords---should-list-identifiers-from-arxiv")
    assert [exchange["status"] for exchange in exchanges] == [503, 200]
    path = urlsplit(exchanges[0]["path"])
    replies = [Reply(x["status"], x["response"], nock_headers(x)) for x in exchanges]
    replay.add(path.path, dict(parse_qsl(path.query)), *replies)
    client = OaiHarvester(
        base_url=f"{replay.url}/oai2", sleep=fake_time.sleep, clock=fake_time.monotonic
    )
    pages = list(client.list_records(from_date=date(2015, 1, 1), until=date(2015, 1, 3)))
    assert fake_time.sleeps == [10.0] and len(replay.requests) == 2
    assert [r.arxiv_id for r in papers(pages[0])] == [
        "1412.8544",
        "hep-th/9504118",
    ]


def test_it_stops_retrying_a_busy_server(replay: ReplayServer, fake_time: FakeTime) -> None:
    busy = Reply(503, "<html>Retry after 10 seconds</html>", {"Retry-After": "10"})
    replay.add("/oai", None, busy, busy)
    with pytest.raises(OaiError, match=r"answered HTTP 503 \(gave up after 2 attempts"):
        next(harvester(replay, fake_time, max_retries=1).list_records())
    assert fake_time.sleeps == [10.0]


def test_it_backs_off_when_the_connection_fails(fake_time: FakeTime) -> None:
    with ReplayServer() as gone:
        url = f"{gone.url}/oai"
    client = OaiHarvester(
        base_url=url, max_retries=1, sleep=fake_time.sleep, clock=fake_time.monotonic
    )
    with pytest.raises(OaiError, match="could not reach"):
        next(client.list_records())
    assert fake_time.sleeps == [2.0, 1.0]  # back-off, then the rest of the 3 s delay


def test_a_rejected_token_raises_so_the_caller_can_restart(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    replay.add("/oai", None, Reply(200, raw("ErrorResponseBadResumptionToken.xml")))
    with pytest.raises(OaiBadResumptionToken) as raised:
        next(harvester(replay, fake_time).list_records(resumption_token="3"))
    assert raised.value.code == "badResumptionToken"
    assert replay.requests[0].query == {"verb": "ListRecords", "resumptionToken": "3"}


def test_no_records_match_ends_the_harvest(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/oai", None, Reply(200, raw("ErrorResponseNoRecordsMatch.xml")))
    pages = list(harvester(replay, fake_time).list_records(set_spec="moo"))
    assert len(pages) == 1 and pages[0].records == [] and len(replay.requests) == 1


def test_a_repeated_token_stops_the_harvest(replay: ReplayServer, fake_time: FakeTime) -> None:
    first = raw("ListRecordsResponse.xml")
    replay.add("/oai", None, Reply(200, first), Reply(200, first))
    with pytest.raises(OaiError, match="same resumptionToken again"):
        list(harvester(replay, fake_time).list_records())
    assert len(replay.requests) == 2
