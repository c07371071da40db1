"""`paperfeed index`, `search` and `similar` over real papers, with the real embedding model.

Most tests store the model's reference vectors of the sample papers (computed by the same model,
shipped in the shared data) so that only the tests about embedding itself pay for CPU encoding.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from paperfeed.lib.records import PaperRecord
from paperfeed.lib.snapshot import read_snapshot
from paperfeed.papers.ingest import paper_upsert, papers_upsert_batch
from paperfeed.papers.models import Paper
from paperfeed.search.embedding import DEFAULT_MODEL, paper_text
from paperfeed.search.engine import engine
from paperfeed.search.indexing import text_hash, vectors_store
from paperfeed.search.models import PaperVector
from paperfeed.search.query import query_parse
from paperfeed.search.selectors import papers_search, papers_similar
from tests.support import SHARED_DATA

pytestmark = pytest.mark.django_db
SAMPLE = SHARED_DATA / "arxiv" / "arxiv-sample-75k.jsonl.gz"


def sample(count: int, skip: int = 0) -> list[PaperRecord]:
    records = (r for r in read_snapshot(SAMPLE) if isinstance(r, PaperRecord))
    return list(itertools.islice(records, skip, skip + count))


def store(records: list[PaperRecord]) -> list[Paper]:
    result = papers_upsert_batch(records=records)
    return list(Paper.objects.filter(id__in=result.ids.values()).order_by("id"))


def reference_vectors(papers: list[Paper]) -> None:
    """Store the model's shipped vectors for these papers, as `paperfeed index` would have."""
    ids = (SHARED_DATA / "arxiv" / "arxiv-sample-75k.ids.txt").read_text().split()
    row = {arxiv_id: i for i, arxiv_id in enumerate(ids)}
    matrix = np.load(SHARED_DATA / "arxiv" / "arxiv-sample-75k.minilm-l6-v2.f16.npy", mmap_mode="r")
    vectors_store(
        model=DEFAULT_MODEL,
        pids=[p.id for p in papers],
        vectors=np.stack([matrix[row[p.arxiv_id]] for p in papers]),
        hashes=[text_hash(paper_text(p.title, p.abstract)) for p in papers],
    )


def index(*args: str) -> str:
    out = io.StringIO()
    call_command("index", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def ids(q: str, mode: str = "hybrid", **filters: object) -> list[str]:
    return [h.paper.arxiv_id for h in papers_search(q=q, mode=mode, **filters).hits]  # type: ignore[arg-type]


@pytest.fixture
def catalog() -> list[Paper]:
    papers = store(sample(400))
    reference_vectors(papers)
    index("--no-embed")
    return papers


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_a_papers_title_finds_it_first_in_every_mode(catalog: list[Paper], mode: str) -> None:
    for paper in catalog[::97]:
        assert ids(paper.title, mode)[0] == paper.arxiv_id


def test_semantic_search_finds_meaning_without_the_words(catalog: list[Paper]) -> None:
    target = next(p for p in catalog if "robot" in p.title.lower())
    words = " ".join(w for w in target.title.split() if "robot" not in w.lower())
    found = ids(f"{words} for machines that move and grasp", "semantic")[:10]
    assert target.arxiv_id in found


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_filters_hold_in_every_mode(catalog: list[Paper], mode: str) -> None:
    results = papers_search(q="learning cat:cs.RO", mode=mode)
    assert results.hits
    assert all("cs.RO" in h.paper.categories.split() for h in results.hits)
    author = catalog[3].authors[0]
    found = papers_search(q=f'author:"{author}" learning', mode=mode).hits
    assert found and all(author in h.paper.authors for h in found)
    expected = {p.arxiv_id for p in catalog if author in p.authors}
    every = papers_search(q=f'author:"{author}"', mode=mode, per_page=100).hits
    assert {h.paper.arxiv_id for h in every} == expected


@pytest.mark.parametrize("through", ["columns", "tantivy"])
def test_a_filtered_semantic_search_finds_the_same_over_the_graph_or_exactly(
    monkeypatch: pytest.MonkeyPatch, through: str
) -> None:
    from paperfeed.search import selectors, vectors

    monkeypatch.setattr(vectors, "EXACT_BELOW", 100)  # 400 papers get a graph
    papers = store(sample(400))
    reference_vectors(papers)
    index("--no-embed")
    robotics = [p for p in papers if "cs.RO" in p.categories.split()]
    # Categories and dates go through the filter columns; a phrase needs tantivy.
    query = "learning to walk and grasp cat:cs.RO" + (' "robot"' if through == "tantivy" else "")
    costs = "COLUMN_COSTS" if through == "columns" else "TANTIVY_COSTS"
    mask = selectors._column_mask(engine(), query_parse(query))
    assert (mask is not None) == (through == "columns")
    found = {}
    for plan, exact_cost in (("graph", 1e9), ("exact", 0.0)):
        monkeypatch.setattr(selectors, costs, selectors.Costs(exact=exact_cost, check=0.0))
        hits = papers_search(q=query, mode="semantic", per_page=10).hits
        assert hits and all("cs.RO" in h.paper.categories.split() for h in hits)
        found[plan] = [h.paper.arxiv_id for h in hits]
    if through == "columns":
        assert len(found["exact"]) == min(10, len(robotics))
    assert found["graph"] == found["exact"]


def test_an_arxiv_id_in_the_query_comes_first(catalog: list[Paper]) -> None:
    paper = catalog[123]
    assert ids(f"https://arxiv.org/abs/{paper.arxiv_id}v2")[0] == paper.arxiv_id
    assert ids(f"{paper.arxiv_id} diffusion")[0] == paper.arxiv_id


def test_pages_do_not_overlap(catalog: list[Paper]) -> None:
    first = papers_search(q="learning", per_page=10, page=1)
    second = papers_search(q="learning", per_page=10, page=2)
    assert first.has_next and len(second.hits) == 10
    assert not {h.paper.id for h in first.hits} & {h.paper.id for h in second.hits}


def test_keyword_search_works_while_vectors_are_missing() -> None:
    papers = store(sample(60))
    reference_vectors(papers[:30])
    index("--no-embed")
    results = papers_search(q=papers[45].title)
    assert results.semantic == "partial" and results.vectors == 30 and results.papers == 60
    assert results.hits[0].paper.id == papers[45].id


def test_search_without_any_index_returns_nothing_and_says_so() -> None:
    store(sample(5))
    results = papers_search(q="anything at all", mode="semantic")
    assert results.hits == [] and results.semantic == "unavailable"


def test_similar_papers_exclude_the_paper_itself(catalog: list[Paper]) -> None:
    paper = catalog[10]
    similar = papers_similar(paper=paper, limit=5)
    assert len(similar) == 5 and paper.id not in {s.paper.id for s in similar}
    assert similar[0].score >= similar[-1].score
    out = io.StringIO()
    call_command("similar", paper.arxiv_id, "--json", "--limit", "3", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["id"] for r in rows] == [s.paper.arxiv_id for s in similar[:3]]


def test_the_search_command_prints_json(catalog: list[Paper]) -> None:
    out = io.StringIO()
    call_command("search", catalog[0].title, "--json", "--limit", "3", stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) == 3 and set(rows[0]) == {"id", "title", "score"}
    assert rows[0]["id"] == catalog[0].arxiv_id


@pytest.mark.parametrize("query", ['"', "x" * 10_000, "'; DROP TABLE x; --", "-", "\x00", "∑ 😀"])
def test_the_search_command_answers_any_query(catalog: list[Paper], query: str) -> None:
    call_command("search", query, stdout=io.StringIO(), stderr=io.StringIO())


def test_similar_of_an_unknown_paper_is_a_clear_error(catalog: list[Paper]) -> None:
    with pytest.raises(CommandError, match="not in the catalog"):
        call_command("similar", "2401.99999")
    with pytest.raises(CommandError, match="arXiv"):
        call_command("similar", "not-an-id")


def test_index_embeds_new_papers_then_only_changed_ones() -> None:
    papers = store(sample(24, skip=1000))
    out = index()
    assert "24 papers embedded" in out and PaperVector.objects.count() == 24
    assert "0 papers embedded · 24 unchanged" in index()
    # A new paper becomes searchable; an updated abstract replaces its vector.
    new = sample(1, skip=2000)[0]
    assert ids(new.title, "keyword")[:1] != [new.arxiv_id]
    old_vector = bytes(PaperVector.objects.get(paper=papers[0]).vector)
    changed = sample(1, skip=1000)[0]
    changed.abstract = "We replace this abstract entirely: a study of protein folding in yeast."
    changed.version = (changed.version or 1) + 1
    paper_upsert(record=changed)
    paper_upsert(record=new)
    assert "2 papers embedded" in index()
    assert bytes(PaperVector.objects.get(paper=papers[0]).vector) != old_vector
    assert ids(new.title)[0] == new.arxiv_id
    assert ids("protein folding in yeast", "semantic")[0] == papers[0].arxiv_id
    assert "0 papers embedded" in index("--rebuild")  # rebuilding never re-embeds


def test_reindexing_a_paper_replaces_it_in_the_keyword_index(catalog: list[Paper]) -> None:
    from paperfeed.search.engine import engine

    Paper.objects.filter(id=catalog[0].id).update(modified_at=timezone.now())
    index("--no-embed")
    index("--no-embed")
    assert engine().keyword.num_docs() == len(catalog)
    assert ids(catalog[0].title, "keyword").count(catalog[0].arxiv_id) == 1


def test_an_idle_instance_re_reads_the_overlap_once_then_nothing() -> None:
    """Each step re-reads what changed in the OVERLAP before its previous run began (a late
    commit could hide there), but once a run began after that window it re-reads nothing."""
    import datetime as dt

    import time_machine

    from paperfeed.search.indexing import keyword_sync, vectors_sync

    start = timezone.now()
    with time_machine.travel(start, tick=True):
        papers = store(sample(25))
        reference_vectors(papers)
        assert keyword_sync()[0] == 25
        assert vectors_sync(model=DEFAULT_MODEL)[0] == 25
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=True):
        assert keyword_sync()[0] == 25  # the overlap of the first run, once
        assert vectors_sync(model=DEFAULT_MODEL)[0] == 0  # all found published already
    with time_machine.travel(start + dt.timedelta(minutes=22), tick=True):
        assert keyword_sync()[0] == 0  # nothing re-read
        assert vectors_sync(model=DEFAULT_MODEL)[0] == 0
        newcomer = store(sample(1, skip=100))
        reference_vectors(newcomer)
        assert keyword_sync()[0] == 1
        assert vectors_sync(model=DEFAULT_MODEL)[0] == 1
    assert ids(newcomer[0].title, "keyword")[0] == newcomer[0].arxiv_id


def test_an_index_of_an_older_schema_is_replaced_by_a_fresh_build() -> None:
    """Version 1 kept its files directly in index/keyword/; the next run builds the current
    version beside them from the database, then removes them."""
    from paperfeed.search.indexing import index_root, keyword_path

    papers = store(sample(30))
    old = index_root() / "keyword"
    old.mkdir(parents=True)
    (old / "meta.json").write_text("{}")
    (old / "0123abcd.idx").write_bytes(b"old segment")
    (old / "v1").mkdir()
    index("--no-embed")
    assert sorted(p.name for p in old.iterdir()) == [keyword_path().name]
    assert ids(papers[3].title, "keyword")[0] == papers[3].arxiv_id


def test_a_running_search_sees_what_a_later_index_run_published(catalog: list[Paper]) -> None:
    newcomer = sample(1, skip=5000)[0]
    assert ids(newcomer.title, "keyword")[:1] != [newcomer.arxiv_id]  # opens the indexes
    [paper] = store([newcomer])
    reference_vectors([paper])
    index("--no-embed")
    assert ids(newcomer.title, "keyword")[0] == newcomer.arxiv_id
    assert ids(newcomer.title, "semantic")[0] == newcomer.arxiv_id


def test_a_killed_index_run_resumes_without_losing_or_repeating_work(tmp_path: Path) -> None:
    """A real `paperfeed index` process, killed (SIGKILL) while embedding, then run again."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs against the embedded SQLite database")
    with gzip.open(SAMPLE) as handle:
        lines = [next(handle) for _ in range(300)]
    path = tmp_path / "part.jsonl"
    path.write_bytes(b"".join(lines))
    home = tmp_path / "home"
    env = dict(os.environ, PAPERFEED_HOME=str(home), HF_HUB_OFFLINE="1")
    cli = [sys.executable, "-m", "paperfeed"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*cli, "ingest", "snapshot", str(path)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    proc = subprocess.Popen([*cli, "index", "--batch-size", "8"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    stored = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        with (
            contextlib.suppress(sqlite3.OperationalError),
            sqlite3.connect(home / "paperfeed.db", timeout=1) as db,
        ):
            stored = db.execute("SELECT count(*) FROM search_papervector").fetchone()[0]
        if stored >= 40:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait()
    assert 40 <= stored < 300, "the index run finished before it could be killed"
    rerun = subprocess.run([*cli, "index"], env=env, capture_output=True, text=True, check=True)
    embedded = int(rerun.stdout.split(" papers embedded")[0].rsplit(" ", 1)[-1].replace(",", ""))
    assert embedded <= 300 - stored + 8  # at most the batch in flight is embedded again
    with sqlite3.connect(home / "paperfeed.db") as db:
        count, distinct = db.execute(
            "SELECT count(*), count(DISTINCT paper_id) FROM search_papervector"
        ).fetchone()
    assert count == distinct == 300
    found = subprocess.run([*cli, "search", "--json", "--mode", "semantic", "x"], env=env,
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert len(json.loads(found.stdout)) == 10
