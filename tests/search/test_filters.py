"""Filter columns: categories and dates as numpy arrays, kept by `paperfeed index`, agreeing
with what tantivy's filters match."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from paperfeed.papers.models import Paper
from paperfeed.search.filters import NO_DAY, FilterColumns, filters_load
from paperfeed.search.indexing import keyword_path
from paperfeed.search.keyword import KeywordIndex, category_terms, day_number
from paperfeed.search.query import query_parse
from tests.search.test_indexing import sample, store


def columns_of(rows: list[tuple[int, str, dt.date | None]]) -> FilterColumns:
    return FilterColumns.empty().updated(
        [pid for pid, _, _ in rows],
        [day_number(day) if day else None for _, _, day in rows],
        [category_terms(cats.split()) for _, cats, _ in rows],
    )


def test_a_mask_keeps_any_of_the_categories_within_the_dates() -> None:
    columns = columns_of([
        (30, "cs.LG stat.ML", dt.date(2025, 3, 1)),
        (10, "cs.CV", dt.date(2024, 12, 31)),
        (20, "math.OC", None),
        (40, "hep-th", dt.date(2025, 6, 1)),
    ])  # fmt: skip
    assert list(columns.keys) == [10, 20, 30, 40]  # kept in id order

    def passing(**filters: object) -> list[int]:
        return [int(k) for k in columns.keys[columns.mask(**filters)]]  # type: ignore[arg-type]

    assert passing(categories=["cs.LG"]) == [30]
    assert passing(categories=["cs"]) == [10, 30]  # an archive matches its categories
    assert passing(categories=["math.OC", "hep-th"]) == [20, 40]
    assert passing(categories=["nucl-ex"]) == []  # unknown to every paper
    assert passing(after=day_number(dt.date(2025, 1, 1))) == [30, 40]
    assert passing(before=day_number(dt.date(2025, 1, 1))) == [10]  # no date fails a date filter
    assert passing(categories=["cs"], after=day_number(dt.date(2025, 1, 1))) == [30]
    assert passing() == [10, 20, 30, 40]


def test_an_update_replaces_papers_and_grows_past_64_categories() -> None:
    columns = columns_of([(1, "cs.LG", dt.date(2025, 1, 1)), (2, "cs.CV", dt.date(2025, 1, 2))])
    many = " ".join(f"x.C{i}" for i in range(80))  # 80 categories + their archive: two words
    terms = [category_terms(["math.OC"]), category_terms(many.split())]
    columns = columns.updated([1, 3], [None, day_number(dt.date(2026, 1, 1))], terms)
    assert list(columns.keys) == [1, 2, 3] and columns.bits.shape[0] == 2
    assert list(columns.keys[columns.mask(categories=["cs.LG"])]) == []  # replaced
    assert list(columns.keys[columns.mask(categories=["math"])]) == [1]
    assert list(columns.keys[columns.mask(categories=["x.C79"])]) == [3]
    assert list(columns.keys[columns.mask(categories=["cs.CV"])]) == [2]
    assert columns.days[0] == NO_DAY


def test_aligned_columns_follow_other_keys_and_missing_papers_pass_nothing() -> None:
    columns = columns_of([(5, "cs.LG", dt.date(2025, 1, 1)), (9, "cs.CV", dt.date(2025, 2, 1))])
    aligned = columns.aligned(np.array([3, 5, 9], dtype=np.uint64))
    assert list(aligned.mask(categories=["cs"])) == [False, True, True]
    assert list(aligned.mask(after=0)) == [False, True, True]
    assert list(FilterColumns.empty().aligned(np.array([1], dtype=np.uint64)).mask()) == [True]


@pytest.mark.django_db
def test_paperfeed_index_keeps_the_columns_in_step_with_tantivy() -> None:
    papers = store(sample(300))
    call_command("index", "--no-embed", stdout=io.StringIO(), stderr=io.StringIO())
    folder = keyword_path()
    columns = filters_load(folder)
    assert columns is not None and len(columns) == 300
    kindex = KeywordIndex(folder)
    for text in ("cat:cs.CV", "cat:cs", "cat:cs.RO year:2025", "after:2025-06-01", "cat:nucl-ex"):
        parsed = query_parse(text)
        mask = columns.mask(
            categories=parsed.categories,
            after=day_number(parsed.after) if parsed.after else None,
            before=day_number(parsed.before) if parsed.before else None,
        )
        constraint = kindex.constraint_query(parsed)
        assert constraint is not None
        expected = set(kindex.matching_pids(constraint, limit=1000))
        assert {int(k) for k in columns.keys[mask]} == expected, text

    # A changed paper is rewritten in the columns by the next run.
    paper = papers[0]
    assert "q-bio.NC" not in paper.categories.split()
    before = {int(k) for k in columns.keys[columns.mask(categories=["q-bio.NC"])]}
    Paper.objects.filter(id=paper.id).update(
        categories="q-bio.NC", modified_at=dt.datetime.now(dt.UTC)
    )
    call_command("index", "--no-embed", stdout=io.StringIO(), stderr=io.StringIO())
    columns = filters_load(folder)
    assert columns is not None and len(columns) == 300
    assert {int(k) for k in columns.keys[columns.mask(categories=["q-bio.NC"])]} == before | {
        paper.id
    }
    first = paper.categories.split()[0]
    assert paper.id not in {int(k) for k in columns.keys[columns.mask(categories=[first])]}


@pytest.mark.django_db
def test_an_index_without_columns_gets_them_on_the_next_run(tmp_path: Path) -> None:
    store(sample(50))
    call_command("index", "--no-embed", stdout=io.StringIO(), stderr=io.StringIO())
    (keyword_path() / "filters.npz").unlink()  # as an index written by an older paperfeed
    call_command("index", "--no-embed", stdout=io.StringIO(), stderr=io.StringIO())
    columns = filters_load(keyword_path())
    assert columns is not None and len(columns) == 50


def test_only_categories_a_query_can_name_get_a_column() -> None:
    from paperfeed.search.indexing import _filterable

    assert _filterable("cs.LG 68T05, I.2.6; stat.ML learning") == ["cs.LG", "cs", "stat.ML", "stat"]
