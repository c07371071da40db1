"""The tantivy keyword index over a slice of real arXiv papers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperfeed.lib.records import PaperRecord
from paperfeed.lib.snapshot import read_snapshot
from paperfeed.lib.text import clean_name, clean_text
from paperfeed.search.keyword import IndexDocument, KeywordIndex
from paperfeed.search.query import query_parse
from tests.support import SHARED_DATA

SLICE = 3_000


def sample_records(count: int = SLICE) -> list[PaperRecord]:
    path = SHARED_DATA / "arxiv" / "arxiv-sample-75k.jsonl.gz"
    records = (r for r in read_snapshot(path) if isinstance(r, PaperRecord))
    return list(itertools.islice(records, count))


def as_document(pid: int, record: PaperRecord) -> IndexDocument:
    return IndexDocument(
        pid=pid,
        title=clean_text(record.title),
        abstract=clean_text(record.abstract),
        authors=[clean_name(a) for a in record.authors],
        categories=record.categories,
        published=record.published.date() if record.published else None,
    )


@pytest.fixture(scope="module")
def papers() -> dict[int, IndexDocument]:
    return {pid: as_document(pid, r) for pid, r in enumerate(sample_records(), start=1)}


@pytest.fixture(scope="module")
def index(
    tmp_path_factory: pytest.TempPathFactory, papers: dict[int, IndexDocument]
) -> Iterator[KeywordIndex]:
    kindex = KeywordIndex(Path(tmp_path_factory.mktemp("keyword")))
    writer = kindex.writer()
    for doc in papers.values():
        writer.add_document(kindex.document(doc))
    writer.commit()
    writer.wait_merging_threads()
    kindex.refresh()
    yield kindex


def search(index: KeywordIndex, text: str, limit: int = 20) -> list[int]:
    return [pid for pid, _ in index.search(query_parse(text), limit=limit)]


def test_it_indexes_every_paper(index: KeywordIndex, papers: dict[int, IndexDocument]) -> None:
    assert index.num_docs() == len(papers)


@pytest.mark.parametrize("pid", [1, 17, 404, 1234, 2999])
def test_a_papers_exact_title_finds_it_first(index: KeywordIndex, papers: dict, pid: int) -> None:
    assert search(index, papers[pid].title)[0] == pid


def test_author_filter_finds_only_that_authors_papers(index: KeywordIndex, papers: dict) -> None:
    counts: dict[str, int] = {}
    for doc in papers.values():
        for name in doc.authors:
            counts[name] = counts.get(name, 0) + 1
    name = max(counts, key=lambda n: (counts[n], n))
    found = search(index, f'author:"{name}"', limit=100)
    assert len(found) == counts[name]
    assert all(name in papers[pid].authors for pid in found)


def test_a_category_filter_keeps_only_that_category(index: KeywordIndex, papers: dict) -> None:
    found = search(index, "cat:cs.RO robot", limit=50)
    assert found
    assert all("cs.RO" in papers[pid].categories for pid in found)
    archive = search(index, "cat:cs learning", limit=50)
    assert all(any(c.startswith("cs.") for c in papers[pid].categories) for pid in archive)


def test_date_filters_hold(index: KeywordIndex, papers: dict) -> None:
    days = sorted({d.published for d in papers.values() if d.published})
    middle = days[len(days) // 2]
    after = search(index, f"after:{middle.isoformat()} model", limit=100)
    before = search(index, f"before:{middle.isoformat()} model", limit=100)
    assert after and before
    assert all(papers[pid].published >= middle for pid in after)
    assert all(papers[pid].published <= middle for pid in before)
    year = search(index, f"year:{middle.year} model", limit=100)
    assert all(papers[pid].published.year == middle.year for pid in year)


def test_excluded_words_remove_papers(index: KeywordIndex, papers: dict) -> None:
    found = search(index, "diffusion -video", limit=100)
    assert found
    for pid in found:
        text = f"{papers[pid].title} {papers[pid].abstract}".lower()
        assert "video" not in text


def test_a_phrase_is_required(index: KeywordIndex, papers: dict) -> None:
    found = search(index, 'model "reinforcement learning"', limit=100)
    assert found
    for pid in found:
        text = " ".join(f"{papers[pid].title} {papers[pid].abstract}".lower().split())
        assert "reinforcement learning" in text.replace("-", " ")


def test_a_filter_alone_lists_the_newest_papers(index: KeywordIndex, papers: dict) -> None:
    found = search(index, "cat:cs.CL", limit=30)
    days = [papers[pid].published for pid in found]
    assert days == sorted(days, reverse=True)
    assert all("cs.CL" in papers[pid].categories for pid in found)


def test_filter_helpers_agree(index: KeywordIndex, papers: dict) -> None:
    constraint = index.constraint_query(query_parse("cat:cs.RO"))
    assert constraint is not None
    robotics = {pid for pid, d in papers.items() if "cs.RO" in d.categories}
    assert index.count(constraint) == len(robotics)
    assert set(index.matching_pids(constraint, limit=10_000)) == robotics
    assert index.keep_matching(list(range(1, 200)), constraint) == robotics & set(range(1, 200))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "'; DROP TABLE papers; --",
        'title:"x" AND (y OR z) NEAR/3 ^2 ~ * \\',
        "x" * 10_000,
        "naïve Bayes 🤖 ∂x/∂t",
        "\x00\x01 control",
        "-",
        '"',
        "author:",
        "cat:",
        "😀" * 3000,
    ],
)
def test_no_query_raises(index: KeywordIndex, text: str) -> None:
    index.search(query_parse(text), limit=10)


def test_stop_words_do_not_rank_but_still_match_alone_and_in_phrases(
    index: KeywordIndex, papers: dict[int, IndexDocument]
) -> None:
    # The same words with and without stop words rank the same papers.
    assert search(index, "the learning of a model") == search(index, "learning model")
    # Nothing but stop words: they are searched after all.
    assert search(index, "the of and")
    # A quoted phrase keeps its stop words, and matches them in place.
    pid, title = next((p, d.title) for p, d in papers.items() if " of the " in d.title)
    words = (
        title.split(" of the ")[0].split()[-1:]
        + ["of", "the"]
        + title.split(" of the ")[1].split()[:1]
    )
    phrase = " ".join(words)
    assert pid in search(index, f'"{phrase}"', limit=200)
