"""has:code: papers that name their own code repository, in every mode and with the other
filters, kept current by `paperfeed index` however a paper's links change."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from paperfeed.links.models import PaperLink
from paperfeed.links.services import links_rebuild
from paperfeed.papers.ingest import paper_upsert
from paperfeed.papers.models import Paper
from paperfeed.search import indexing, selectors
from paperfeed.search.engine import engine
from paperfeed.search.filters import FilterColumns
from paperfeed.search.query import query_parse
from paperfeed.search.selectors import MODES, papers_search
from tests.search.test_indexing import ids, index, reference_vectors, sample, store

pytestmark = pytest.mark.django_db
CATALOG = 200


def own_code() -> set[str]:
    """The papers that name their own code repository, as the links app stored them."""
    rows = PaperLink.objects.filter(primary=True).values_list("paper__arxiv_id", flat=True)
    return set(rows)


def code_in_comments_only(coded: set[str]) -> Paper:
    """A paper whose own code is named in its comments and nowhere else."""
    rows = Paper.objects.filter(arxiv_id__in=coded).exclude(abstract__icontains="github.com")
    return rows.exclude(journal_ref__icontains="github.com").order_by("id").first()  # type: ignore[return-value]


def archives(paper: Paper) -> set[str]:
    return {c.split(".")[0] for c in paper.categories.split()}


@pytest.fixture
def coded() -> set[str]:
    """200 sample papers (a quarter name their code), every tenth given its own code in its
    comments; some others link only to someone else's code (a baseline), which does not count.
    The sample's first papers are all cs.CV of one day: they get other categories and days."""
    records = sample(CATALOG)
    baselines = set()
    for i, rec in enumerate(records):
        rec.published = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=i)
        rec.categories = [rec.categories, ["math.OC"], ["hep-th", "gr-qc"], ["stat.ML"]][i % 4]
        if i % 10 == 0:
            rec.comments = f"{rec.comments or ''} Code: https://github.com/o/r{i}".strip()
        elif i % 11 == 0:
            rec.comments = "We compare with https://github.com/other/baseline."
            if "github" not in rec.abstract.lower():
                baselines.add(rec.arxiv_id)
    papers = store(records)
    reference_vectors(papers)
    index("--no-embed")
    with_code = own_code()
    assert {r.arxiv_id for r in records[::10]} <= with_code
    assert len(with_code) < 100  # so that one page can hold them all
    assert baselines and not baselines & with_code  # someone else's code is not its code
    return with_code


@pytest.mark.parametrize("mode", MODES)
def test_has_code_keeps_only_papers_that_name_their_own_code(coded: set[str], mode: str) -> None:
    found = ids("learning has:code", mode, per_page=100)
    if mode == "keyword":  # papers with the word
        assert found and set(found) <= coded
    else:  # fewer papers pass than a page holds: meaning ranks every one of them
        assert set(found) == coded
    assert ids("learning", mode, per_page=100, code=True) == found
    assert set(ids("has:code", mode, per_page=100)) == coded  # a filter alone


@pytest.mark.parametrize("mode", MODES)
def test_has_code_ands_with_categories_and_dates(coded: set[str], mode: str) -> None:
    papers = list(Paper.objects.filter(arxiv_id__in=coded))
    days = sorted(p.published.date() for p in papers if p.published)
    cut = days[len(days) // 3]
    expected = {
        p.arxiv_id
        for p in papers
        if archives(p) & {"cs", "math"} and p.published and p.published.date() >= cut
    }
    assert 0 < len(expected) < len(coded)
    query = f"has:code cat:cs,math after:{cut.isoformat()}"
    assert set(ids(query, mode, per_page=100)) == expected
    found = ids(f"learning {query}", mode, per_page=100)
    assert set(found) <= expected and (mode == "keyword" or set(found) == expected)
    # The same through the parameters a form or the API passes.
    through_form = ids("learning", mode, per_page=100, categories=["cs", "math"], after=cut,
                       code=True)  # fmt: skip
    assert through_form == found


@pytest.mark.parametrize("mode", MODES)
def test_minus_has_code_keeps_papers_without_their_own_code(coded: set[str], mode: str) -> None:
    found = ids("learning -has:code", mode, per_page=100)
    assert found and not set(found) & coded
    newest = ids("-has:code", mode, per_page=50)
    assert len(newest) == 50 and not set(newest) & coded


def test_semantic_has_code_uses_the_filter_columns_and_minus_has_code_tantivy(
    coded: set[str],
) -> None:
    current = engine()
    assert selectors._column_mask(current, query_parse("learning has:code cat:cs")) is not None
    assert selectors._column_mask(current, query_parse("learning -has:code")) is None


def test_an_unknown_has_value_is_ignored_with_a_note(coded: set[str]) -> None:
    results = papers_search(q="learning has:pdf", mode="keyword", per_page=50)
    assert any('ignored "has:pdf"' in note and "has:code" in note for note in results.notes)
    assert [h.paper.arxiv_id for h in results.hits] == ids("learning", "keyword", per_page=50)


def test_a_paper_that_gains_or_loses_code_in_a_new_version_is_found_after_the_next_index(
    coded: set[str],
) -> None:
    records = {r.arxiv_id: r for r in sample(CATALOG)}
    gains = next(p for p in Paper.objects.order_by("id") if p.arxiv_id not in coded)
    loses = code_in_comments_only(coded)
    for paper, comments in ((gains, "Code is available at https://github.com/o/new."),
                            (loses, "10 pages.")):  # fmt: skip
        record = records[paper.arxiv_id]
        record.comments = comments
        record.version = (record.version or 1) + 1
        record.updated = dt.datetime.now(dt.UTC)
        paper_upsert(record=record)
    assert gains.arxiv_id in own_code() and loses.arxiv_id not in own_code()
    assert gains.arxiv_id not in ids("has:code", "keyword", per_page=100)  # not indexed yet
    index("--no-embed")
    for mode in MODES:
        found = ids(f"{gains.title} has:code", mode, per_page=100)
        assert gains.arxiv_id in found and loses.arxiv_id not in found
    assert set(ids("has:code", "keyword", per_page=100)) == own_code()


def test_links_found_again_without_the_paper_changing_reach_the_filter(
    coded: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`paperfeed links --rebuild` (after a bulk import, which stores no links) changes links
    without touching the papers: the next index run notices and rewrites just those papers."""
    checks: list[int] = []
    real = indexing._code_changed

    def counted(columns: FilterColumns) -> list[int]:
        changed = real(columns)
        checks.append(len(changed))
        return changed

    monkeypatch.setattr(indexing, "_code_changed", counted)
    gains = next(p for p in Paper.objects.order_by("-id") if p.arxiv_id not in coded)
    loses = code_in_comments_only(coded)
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=True):
        index("--no-embed")  # the overlap of the first run, re-read once
    with time_machine.travel(start + dt.timedelta(minutes=22), tick=True):
        # As a bulk import leaves them: new text, no links found yet (and a modified_at the
        # index has read past).
        Paper.objects.filter(pk=gains.pk).update(comments="Code: https://github.com/o/late")
        Paper.objects.filter(pk=loses.pk).update(comments="")
        index("--no-embed")
        assert checks == []  # the links did not change: they are not read
        assert gains.arxiv_id not in ids("has:code", "keyword", per_page=100)
        links_rebuild()
        assert gains.arxiv_id in own_code() and loses.arxiv_id not in own_code()
        index("--no-embed")
        assert checks == [2]
        for mode in MODES:
            found = ids(f"{gains.title} has:code", mode, per_page=100)
            assert gains.arxiv_id in found and loses.arxiv_id not in found
        assert set(ids("has:code", "keyword", per_page=100)) == own_code()
        index("--no-embed")
        assert checks == [2]  # once


def test_an_index_of_the_schema_before_has_code_is_replaced(coded: set[str]) -> None:
    from paperfeed.search.indexing import index_root, keyword_path

    old = index_root() / "keyword" / "v3"
    old.mkdir(parents=True)
    (old / "meta.json").write_text("{}")
    index("--no-embed")
    assert keyword_path().name != "v3"
    assert sorted(p.name for p in old.parent.iterdir()) == [keyword_path().name]
    assert set(ids("has:code", "keyword", per_page=100)) == coded


def test_a_mask_requires_every_required_term_within_any_category() -> None:
    columns = FilterColumns.empty().updated(
        [1, 2, 3, 4],
        [None, None, None, None],
        [["cs.LG", "cs", "has:code"], ["cs.CV", "cs"], ["math.OC", "math", "has:code"], []],
    )

    def passing(**filters: object) -> list[int]:
        return [int(k) for k in columns.keys[columns.mask(**filters)]]  # type: ignore[arg-type]

    assert passing(required=["has:code"]) == [1, 3]
    assert passing(categories=["cs"], required=["has:code"]) == [1]
    assert passing(categories=["cs", "math"], required=["has:code"]) == [1, 3]
    assert passing(required=["has:data"]) == []  # a term no paper has passes none
    assert FilterColumns.empty().mask(required=["has:code"]).tolist() == []
