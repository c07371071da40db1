from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from paperfeed.lib import arxiv_api
from paperfeed.lib.arxiv_api import ArxivApiClient, ArxivApiError, parse_atom_feed, read_atom_file
from paperfeed.lib.http import retry_after_seconds
from paperfeed.lib.records import PaperRecord, RejectedRecord, Version
from tests.support import FakeTime, fixture_path, recorded_atom, utc
from tests.support.replay import ReplayServer, Reply

PAGE_0 = "q_testing_s0_m10_bc5a6c384fe9"
PAGE_10 = "q_testing_s10_m10_34e56e15aaac"
PAGE_20 = "q_testing_s20_m10_348a237fecab"
ML_QUERY = {"search_query": "cat:cs.LG OR cat:cs.AI", "sortBy": "submittedDate"}
ML_QUERY |= {"sortOrder": "descending"}


def body(name: str) -> str:
    return str(recorded_atom(name)["body"])


def make_client(replay: ReplayServer, fake_time: FakeTime, **options: float) -> ArxivApiClient:
    settings: dict[str, float] = {"delay": 3.0, "max_retries": 3} | options
    return ArxivApiClient(
        base_url=f"{replay.url}/api/query",
        delay=settings["delay"],
        max_retries=int(settings["max_retries"]),
        sleep=fake_time.sleep,
        clock=fake_time.monotonic,
    )


def search_params(start: int, size: int = 10) -> dict[str, str | int]:
    return {**ML_QUERY, "start": start, "max_results": size}


def asked(replay: ReplayServer) -> list[dict[str, str]]:
    return [request.query for request in replay.requests]


# Parsing recorded responses


def test_it_reads_every_field_of_an_old_style_paper() -> None:
    page = read_atom_file(fixture_path("arxiv-atom/id_astro-ph_0601001_s0_m100_3150dca9dc76.json"))
    [paper] = page.records
    assert page.entries == page.records
    assert paper == PaperRecord(
        arxiv_id="astro-ph/0601001",
        title="Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys "
        "Toward the Galactic Bulge and Carina",
        source="arxiv-api",
        abstract=paper.abstract,
        authors=["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"],
        categories=["astro-ph"],
        version=1,
        versions=[Version(number=1, created=utc(2006, 1, 2, 14, 57, 58))],
        published=utc(2006, 1, 2, 14, 57, 58),
        updated=utc(2006, 1, 2, 14, 57, 58),
        comments="62 pages including 16 figures and 9 tables. Submitted to Acta Astronomica. "
        "Full resolution version at http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz",
        journal_ref="ActaAstron.56:1-50,2006",
    )
    # The recorded summary starts with two spaces and holds XML entities.
    assert paper.abstract.startswith("We derive the frequencies of hot Jupiters (HJs)")
    assert "Gould & Morgan (2003)" in paper.abstract and "V_max<17.5" in paper.abstract


def test_it_takes_the_version_from_a_versioned_id() -> None:
    [paper] = read_atom_file(
        fixture_path("arxiv-atom/id_2104.12255v1_s0_m100_6ae69987ffe1.json")
    ).records
    assert (paper.arxiv_id, paper.version, paper.title) == ("2104.12255", 1, "0")
    assert paper.versions == [Version(number=1, created=utc(2021, 4, 20, 16, 7, 14))]
    assert paper.authors == ["Quan Thoi Minh Nguyen"] and paper.categories == ["cs.CR"]


def test_it_dates_the_latest_version_by_its_update() -> None:
    page = parse_atom_feed(body(PAGE_0))
    paper = page.records[2]
    assert (paper.arxiv_id, paper.version) == ("2005.14124", 2)
    assert paper.published == utc(2020, 5, 28, 16, 19, 50)
    assert paper.versions == [Version(number=2, created=utc(2020, 7, 16, 8, 15, 48))]
    assert paper.categories == ["cs.SE", "cs.CR", "cs.LG"]
    assert paper.doi == "10.1145/3395363.3397376"
    assert paper.authors == [
        "Yuqi Chen",
        "Bohan Xuan",
        "Christopher M. Poskitt",
        "Jun Sun",
        "Fan Zhang",
    ]


def test_it_keeps_the_order_of_many_authors() -> None:
    [paper] = parse_atom_feed(body("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af")).records
    assert len(paper.authors) == 34
    assert paper.authors[:3] == ["Kees A. Schouhamer Immink", "Stan Baggen", "Ferdaous Chaabane"]
    assert paper.authors[-2:] == ["Dirk WÃ¼bben", "Hirosuke Yamamoto"]  # mojibake as recorded


def test_it_puts_the_primary_category_first() -> None:
    [paper] = parse_atom_feed(body("id_quant-ph_0201082v1_s0_m100_86989fe779ef")).records
    assert paper.arxiv_id == "quant-ph/0201082" and paper.categories == ["quant-ph", "cs.PL"]
    # Move the primary category's <category> after the others: the primary still comes first.
    text = body("id_1605.08386_s0_m100_199195aa31ad")
    first = '<category term="math.CO" scheme="http://arxiv.org/schemas/atom"/>\n'
    text = text.replace(first, "").replace("<published>", first + "<published>")
    [paper] = parse_atom_feed(text).records
    assert paper.categories == ["math.CO", "math.ST"]


def test_it_reads_the_paging_counts() -> None:
    page = parse_atom_feed(body(PAGE_10))
    assert (page.total_results, page.start_index, page.items_per_page) == (214881, 10, 10)
    assert len(page.records) == 10 and page.next_start == 20
    assert page.records[0].arxiv_id == "2403.16981"


def test_it_reads_an_empty_result() -> None:
    page = read_atom_file(fixture_path("arxiv-atom/id_0000.0000_s0_m100_8b51d9633a68.json"))
    assert (page.total_results, page.entries) == (0, [])


def test_it_raises_the_message_of_the_error_feed() -> None:
    with pytest.raises(ArxivApiError, match="incorrect id format for abc"):
        read_atom_file(fixture_path("arxiv-atom/id_abc_s0_m100_b79c8dcf6bc3.json"))


def test_it_reads_a_raw_xml_file(tmp_path: Path) -> None:
    saved = tmp_path / "page.xml"
    saved.write_text(body(PAGE_20), encoding="utf-8")
    page = read_atom_file(saved)
    assert page.start_index == 20 and page.records[5].arxiv_id == "2409.05654"
    assert page.records[5].version == 9


def test_it_rejects_entries_without_an_id_or_a_title() -> None:
    text = body(PAGE_0)
    text = text.replace("<id>http://arxiv.org/abs/2405.13786v1</id>", "<id>not-an-id</id>")
    text = re.sub(r"<title>Active Fuzzing[^<]*</title>", "", text)
    entries = parse_atom_feed(text).entries
    kinds = [type(entry).__name__ for entry in entries]
    assert kinds[:4] == ["PaperRecord", "RejectedRecord", "RejectedRecord", "PaperRecord"]
    assert kinds.count("PaperRecord") == 8
    bad_id, no_title = entries[1], entries[2]
    assert isinstance(bad_id, RejectedRecord) and bad_id.location == "entry 2 of page start=0"
    assert "'not-an-id' is not an arXiv id" in bad_id.reason
    assert no_title == RejectedRecord("entry 3 of page start=0", "2005.14124 has no title")


@pytest.mark.parametrize("content", ["<html>busy</html>", "{}", "not xml"])
def test_it_refuses_a_file_that_is_not_a_feed(tmp_path: Path, content: str) -> None:
    saved = tmp_path / "saved"
    saved.write_text(content)
    with pytest.raises(ArxivApiError):
        read_atom_file(saved)


# The client against the replay server


def test_it_pages_through_a_search(replay: ReplayServer, fake_time: FakeTime) -> None:
    for start, name in [(0, PAGE_0), (10, PAGE_10), (20, PAGE_20)]:
        replay.add("/api/query", search_params(start), Reply(200, body(name)))
    client = make_client(replay, fake_time)
    pages = list(client.search(categories=["cs.LG", "cs.AI"], page_size=10, max_results=30))
    assert [page.start_index for page in pages] == [0, 10, 20]
    assert asked(replay) == [
        {k: str(v) for k, v in search_params(start).items()} for start in (0, 10, 20)
    ]
    assert replay.requests[0].raw_query.startswith("search_query=cat%3Acs.LG+OR+cat%3Acs.AI&")
    assert fake_time.sleeps == [3.0, 3.0]  # the polite gap before the second and third request


def test_it_waits_only_for_what_remains_of_the_delay(
    replay: ReplayServer, fake_time: FakeTime
) -> None:
    replay.add("/api/query", search_params(0), Reply(200, body(PAGE_0)))
    replay.add("/api/query", search_params(10), Reply(200, body(PAGE_10)))
    pages = make_client(replay, fake_time).search(categories=["cs.LG", "cs.AI"], page_size=10)
    next(pages)
    fake_time.now += 1.25  # the caller spends time storing the first page
    next(pages)
    assert fake_time.sleeps == [1.75]


def test_it_resumes_a_search_from_a_saved_start(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/api/query", search_params(20), Reply(200, body(PAGE_20)))
    client = make_client(replay, fake_time)
    [page] = client.search(categories=["cs.LG", "cs.AI"], start=20, page_size=10, max_results=10)
    assert page.start_index == 20 and page.next_start == 30
    assert asked(replay) == [{k: str(v) for k, v in search_params(20).items()}]


def test_it_stops_at_the_last_result(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/api/query", None, Reply(200, body("id_1605.08386_s0_m100_199195aa31ad")))
    pages = list(make_client(replay, fake_time).search(categories=["math.CO"], page_size=50))
    assert len(pages) == 1 and pages[0].records[0].arxiv_id == "1605.08386"
    assert replay.requests[0].query["max_results"] == "50"


def test_it_caps_the_page_size_at_2000(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/api/query", None, Reply(200, body("id_0000.0000_s0_m100_8b51d9633a68")))
    assert list(make_client(replay, fake_time).search(categories=["cs.LG"], page_size=5000))
    assert replay.requests[0].query["max_results"] == "2000"


def test_it_honours_retry_after_on_503(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add(
        "/api/query",
        search_params(0),
        Reply(503, "<html>Retry after 10 seconds</html>", {"Retry-After": "10"}),
        Reply(200, body(PAGE_0)),
    )
    client = make_client(replay, fake_time)
    page = next(client.search(categories=["cs.LG", "cs.AI"], page_size=10, max_results=10))
    assert len(page.records) == 10 and len(replay.requests) == 2
    assert fake_time.sleeps == [10.0]  # 10 s is longer than the 3 s delay: no second wait


def test_it_backs_off_after_429(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/api/query", search_params(0), Reply(429, "slow down"), Reply(200, body(PAGE_0)))
    client = make_client(replay, fake_time)
    page = next(client.search(categories=["cs.LG", "cs.AI"], page_size=10, max_results=10))
    assert page.records[0].arxiv_id == "2202.12139"
    assert fake_time.sleeps == [2.0, 1.0]  # back-off, then the rest of the 3 s delay


def test_it_gives_up_after_max_retries(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/api/query", None, *[Reply(503, "down")] * 3)
    client = make_client(replay, fake_time, max_retries=2, delay=0)
    with pytest.raises(ArxivApiError) as raised:
        next(client.search(categories=["cs.LG"]))
    message = str(raised.value)
    assert f"{replay.url}/api/query?search_query=" in message
    assert "HTTP 503" in message and "3 attempts" in message
    assert fake_time.sleeps == [2.0, 4.0]


def test_it_retries_when_the_connection_fails(fake_time: FakeTime) -> None:
    with ReplayServer() as gone:
        url = f"{gone.url}/api/query"  # nothing listens here once the server stops
    client = ArxivApiClient(
        base_url=url, delay=0, max_retries=2, sleep=fake_time.sleep, clock=fake_time.monotonic
    )
    with pytest.raises(ArxivApiError, match="could not reach"):
        client.fetch_ids(["2104.12255"])
    assert fake_time.sleeps == [2.0, 4.0]


def test_it_retries_a_spurious_empty_page(replay: ReplayServer, fake_time: FakeTime) -> None:
    empty = re.sub(r"<entry>.*</entry>\s*", "", body(PAGE_10), flags=re.DOTALL)
    assert "<opensearch:totalResults>214881<" in empty and "<entry>" not in empty
    replay.add("/api/query", search_params(10), Reply(200, empty), Reply(200, body(PAGE_10)))
    client = make_client(replay, fake_time, delay=0)
    [page] = client.search(categories=["cs.LG", "cs.AI"], start=10, page_size=10, max_results=10)
    assert len(page.records) == 10 and len(replay.requests) == 2
    assert fake_time.sleeps == [2.0]


def test_it_gives_up_on_a_page_that_stays_empty(replay: ReplayServer, fake_time: FakeTime) -> None:
    empty = re.sub(r"<entry>.*</entry>\s*", "", body(PAGE_10), flags=re.DOTALL)
    replay.add("/api/query", search_params(10), Reply(200, empty), Reply(200, empty))
    client = make_client(replay, fake_time, delay=0, max_retries=1)
    with pytest.raises(ArxivApiError, match="empty page at start=10 .* 214881 results"):
        list(client.search(categories=["cs.LG", "cs.AI"], start=10, page_size=10))


def test_it_reports_a_malformed_id(replay: ReplayServer, fake_time: FakeTime) -> None:
    recorded = recorded_atom("id_abc_s0_m100_b79c8dcf6bc3")
    replay.add("/api/query", {"id_list": "abc", "max_results": 1}, Reply(400, recorded["body"]))
    with pytest.raises(ArxivApiError, match=r"incorrect id format for abc \(.*HTTP 400\)"):
        make_client(replay, fake_time).fetch_ids(["abc"])
    assert len(replay.requests) == 1  # a 400 is not retried


def test_it_looks_up_several_ids(replay: ReplayServer, fake_time: FakeTime) -> None:
    recorded = body("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af")
    query: dict[str, str | int] = {"id_list": "0808.05394,1707.08567", "max_results": 2}
    replay.add("/api/query", query, Reply(200, recorded))
    papers = make_client(replay, fake_time).fetch_ids(["0808.05394", "arXiv:1707.08567"])
    assert [paper.arxiv_id for paper in papers] == ["1707.08567"]  # 0808.05394 does not exist
    assert (
        papers[0].comments
        == "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck"
    )


def test_it_sends_versioned_and_old_style_ids_in_batches(
    replay: ReplayServer, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv_api, "IDS_PER_REQUEST", 1)
    replay.add("/api/query", None, Reply(200, body("id_quant-ph_0201082v1_s0_m100_86989fe779ef")))
    replay.add("/api/query", None, Reply(200, body("id_0000.0000_s0_m100_8b51d9633a68")))
    ids = ["https://arxiv.org/abs/quant-ph/0201082v1", "0000.0000"]
    papers = make_client(replay, fake_time).fetch_ids(ids)
    assert [request["id_list"] for request in asked(replay)] == ["quant-ph/0201082v1", "0000.0000"]
    assert [(paper.arxiv_id, paper.version) for paper in papers] == [("quant-ph/0201082", 1)]


def test_it_uses_a_given_httpx_client(replay: ReplayServer, fake_time: FakeTime) -> None:
    replay.add("/api/query", None, Reply(200, body("id_0000.0000_s0_m100_8b51d9633a68")))
    with httpx.Client(headers={"User-Agent": "paperfeed-test"}) as http:
        url = f"{replay.url}/api/query"
        client = ArxivApiClient(base_url=url, client=http, delay=0, sleep=fake_time.sleep)
        assert client.fetch_ids(["0000.0000"]) == []
        client.close()  # the caller's client stays open
        assert not http.is_closed


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("10", 10.0), ("Thu, 01 Jan 2026 00:00:30 GMT", 30.0), ("86400", 600.0), ("soon", None)],
)
def test_it_reads_retry_after_as_seconds_or_a_date(header: str, seconds: float | None) -> None:
    assert retry_after_seconds(header, now=utc(2026, 1, 1)) == seconds
