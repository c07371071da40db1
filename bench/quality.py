"""Search quality benchmark: nDCG@10 and recall@100 of each search mode on a BEIR collection.

The collection (SciFact by default) is loaded into a fresh paperfeed home of its own (a temporary
PAPERFEED_HOME on SQLite, never ./var) through the ingest path, indexed by `paperfeed index`'s own
steps, and every query that has relevance judgments is searched through `papers_search` in the
modes keyword, semantic and hybrid, as typed. The baseline in the same run: SQLite FTS5 with the
porter stemmer, ranked by bm25() over title and text, the query's words OR-ed.

    python bench/quality.py [--corpus C] [--queries Q] [--qrels R] [--json]
                            [--limit-queries N] [--keep HOME]

--keep HOME builds in HOME and leaves it there; run again with the same HOME and the papers are
found unchanged and nothing is embedded twice. With --json the last line of stdout is
{"keyword": {"ndcg@10": ..., "recall@100": ...}, "semantic": {...}, "hybrid": {...}}.
On 2 cores a SciFact run takes about 8 minutes: half embedding the 5,183 abstracts, half the
3 x 809 searches (each loads and snippets its 100 results, as a page of 100 would).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeRemainingColumn

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "data" / "scifact"
MODES = ("keyword", "semantic", "hybrid")
PUBLISHED = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # one date for all: no date filter is used
UPSERT_BATCH = 1_000
EMBED_BATCH = 256  # papers per embedding step: the progress bar moves once per step
DEPTH = 100
WORD = re.compile(r"\w+")
FTS5_QUOTED = 0.699  # the same baseline measured once before, for a sanity check of this run's

Qrels = dict[str, dict[str, int]]  # query id -> corpus id -> relevance grade


# Data -----------------------------------------------------------------------------------------
def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_qrels(path: Path) -> Qrels:
    """BEIR's qrels: a header line, then query-id, corpus-id, score, tab-separated."""
    qrels: Qrels = {}
    with open(path, encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            parts = line.rstrip("\n").split("\t")
            if n == 0 and not parts[-1].lstrip("-").isdigit():
                continue
            if len(parts) != 3:
                sys.exit(f"{path}: line {n + 1} is not 'query-id<TAB>corpus-id<TAB>score'")
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def synthetic_id(n: int) -> str:
    # A valid new-style arXiv id per document; 2001.xxxxx holds up to 99,999 of them.
    return f"2001.{n + 1:05d}"


# Metrics (written out here: a dozen lines, and no evaluation package to install) ---------------
def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    """Graded nDCG@k: gain = relevance grade, discount log2(rank + 1), ideal from the qrels."""
    dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {doc for doc, g in judged.items() if g > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def score_run(runs: dict[str, list[str]], qrels: Qrels) -> dict[str, float]:
    ndcg = [ndcg_at(runs.get(q, []), qrels[q]) for q in runs]
    recall = [recall_at(runs.get(q, []), qrels[q]) for q in runs]
    return {"ndcg@10": sum(ndcg) / len(ndcg), "recall@100": sum(recall) / len(recall)}


# The paperfeed home ---------------------------------------------------------------------------
@contextmanager
def paperfeed_home(keep: Path | None) -> Iterator[Path]:
    """Point Django at a home of our own before it reads its settings."""
    home = keep.resolve() if keep else Path(tempfile.mkdtemp(prefix="pf-quality-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ.pop("DATABASE_URL", None)  # SQLite under this home, whatever the shell says
    os.environ.update(
        PAPERFEED_HOME=str(home), DJANGO_SETTINGS_MODULE="paperfeed.settings", HF_HUB_OFFLINE="1"
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    try:
        yield home
    finally:
        if keep is None:
            shutil.rmtree(home, ignore_errors=True)


def progress_bar() -> Progress:
    # On stderr, so that stdout stays the figures (and the JSON line last).
    return Progress(
        "  {task.description:<13}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )  # fmt: skip


def load(corpus: list[dict]) -> dict[str, str]:
    """Store every document as a paper; return arXiv id -> corpus id."""
    from paperfeed.lib.records import PaperRecord
    from paperfeed.papers.ingest import papers_upsert_batch
    from paperfeed.papers.models import Paper

    to_corpus = {synthetic_id(n): doc["_id"] for n, doc in enumerate(corpus)}
    records = [
        PaperRecord(arxiv_id=synthetic_id(n), title=doc.get("title") or "", source="kaggle",
                    abstract=doc.get("text") or "", published=PUBLISHED, updated=PUBLISHED)
        for n, doc in enumerate(corpus)
    ]  # fmt: skip
    new = unchanged = 0
    for start in range(0, len(records), UPSERT_BATCH):
        result = papers_upsert_batch(records=records[start : start + UPSERT_BATCH])
        new, unchanged = new + result.new, unchanged + result.unchanged
    stored = dict(Paper.objects.values_list("arxiv_id", "title"))
    missing = [i for i in to_corpus if i not in stored]
    if missing:
        sys.exit(f"{len(missing)} documents were not stored (first: {to_corpus[missing[0]]})")
    _report_cleaning(corpus, Paper)
    print(f"  stored {len(records):,} documents ({new:,} new, {unchanged:,} unchanged)")
    return to_corpus


def _report_cleaning(corpus: list[dict], paper_model: type) -> None:
    """The ingest path cleans text (LaTeX, whitespace); say how much of the corpus it touched,
    since a mangled abstract would lower every mode's figures."""
    by_id = {
        arxiv_id: (title, abstract)
        for arxiv_id, title, abstract in paper_model.objects.values_list(
            "arxiv_id", "title", "abstract"
        )
    }
    titles = abstracts = 0
    example = ""
    for n, doc in enumerate(corpus):
        title, abstract = by_id[synthetic_id(n)]
        if " ".join(doc["title"].split()) != title:
            titles += 1
        if " ".join(doc["text"].split()) != abstract:
            abstracts += 1
            example = example or _first_difference(
                doc["_id"], " ".join(doc["text"].split()), abstract
            )
    print(f"  text changed by the ingest path beyond whitespace: {titles} titles, "
          f"{abstracts} abstracts" + (f" (e.g. {example})" if example else ""))  # fmt: skip


def _first_difference(doc_id: str, before: str, after: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), 0)
    start = max(0, at - 20)
    return f"{doc_id}: {before[start : at + 30]!r} -> {after[start : at + 30]!r}"


def index(progress: Progress) -> dict[str, float]:
    """Run `paperfeed index`'s three steps; return seconds per step."""
    from django.conf import settings

    from paperfeed.search.embedding import embedder_load
    from paperfeed.search.engine import engine_reset
    from paperfeed.search.indexing import embeddings_update, keyword_sync, vectors_sync

    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    seconds: dict[str, float] = {}
    with progress:
        started = time.perf_counter()
        written, docs = keyword_sync(progress=report)
        seconds["keyword"] = time.perf_counter() - started

        started = time.perf_counter()
        embedder = embedder_load(model=settings.EMBEDDING_MODEL,
                                 backend=settings.EMBEDDING_BACKEND,
                                 cache_dir=Path(settings.SEARCH_MODELS_DIR))  # fmt: skip
        seconds["model load"] = time.perf_counter() - started

        started = time.perf_counter()
        embedded, unchanged = embeddings_update(
            embedder=embedder, batch_size=EMBED_BATCH, progress=report
        )
        seconds["embed"] = time.perf_counter() - started

        started = time.perf_counter()
        published, vectors = vectors_sync(model=embedder.model_name, progress=report)
        seconds["vector index"] = time.perf_counter() - started
    engine_reset()
    rate = embedded / seconds["embed"] if embedded else 0.0
    print(f"  keyword index: {written:,} written, {docs:,} documents")
    print(f"  embeddings ({embedder.model_name}, {embedder.backend}): {embedded:,} embedded "
          f"({rate:,.1f} docs/s), {unchanged:,} unchanged")  # fmt: skip
    print(f"  vector index: {published:,} published, {vectors:,} vectors")
    return seconds


# Searching ------------------------------------------------------------------------------------
def search_mode(
    mode: str, queries: dict[str, str], to_corpus: dict[str, str], progress: Progress
) -> tuple[dict[str, list[str]], float, set[str]]:
    """Each query through papers_search; return the runs, queries/s and the semantic states seen."""
    from paperfeed.search.selectors import papers_search

    papers_search(q="warm up", mode=mode, per_page=DEPTH)  # loads the query embedder, untimed
    runs: dict[str, list[str]] = {}
    states: set[str] = set()
    with progress:
        task = progress.add_task(mode, total=len(queries))
        started = time.perf_counter()
        for qid, text in queries.items():
            results = papers_search(q=text, mode=mode, per_page=DEPTH)
            runs[qid] = [to_corpus[hit.paper.arxiv_id] for hit in results.hits]
            states.add(results.semantic)
            progress.advance(task)
        elapsed = time.perf_counter() - started
    return runs, len(queries) / elapsed, states


def parse_report(queries: dict[str, str]) -> None:
    """Queries are passed as typed; say how many the query syntax read as more than words."""
    from paperfeed.search.query import query_parse

    noted = syntax = 0
    example = ""
    for text in queries.values():
        parsed = query_parse(text)
        noted += bool(parsed.notes)
        used = (parsed.phrases or parsed.excluded or parsed.authors or parsed.categories
                or parsed.after or parsed.before or parsed.arxiv_ids)  # fmt: skip
        syntax += bool(used)
        if (parsed.notes or used) and not example:
            example = f"{text[:70]!r}: {'; '.join(parsed.notes) or 'read as syntax'}"
    print(f"  query parser: {noted} of {len(queries)} queries got notes, {syntax} used syntax "
          "(phrases, -exclusions, filters, ids)")  # fmt: skip
    if example:
        print(f"    e.g. {example}")


def fts5_baseline(
    corpus: list[dict], queries: dict[str, str]
) -> tuple[dict[str, list[str]], float]:
    """SQLite FTS5 (porter) BM25 over title + text; the query's words (runs of letters and
    digits, so "IL-6" is two) each quoted, so none is read as FTS5 syntax, and OR-ed; top 100 by
    bm25(). Whitespace-split words would make "IL-6" a phrase: nDCG@10 0.690 instead of 0.699."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text, tokenize='porter')")
    db.executemany(
        "INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)",
        ((n, doc.get("title") or "", doc.get("text") or "") for n, doc in enumerate(corpus)),
    )
    ids = [doc["_id"] for doc in corpus]
    runs: dict[str, list[str]] = {}
    started = time.perf_counter()
    for qid, text in queries.items():
        words = [f'"{word}"' for word in WORD.findall(text)]
        if not words:
            runs[qid] = []
            continue
        rows = db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (" OR ".join(words), DEPTH),
        )
        runs[qid] = [ids[rowid] for (rowid,) in rows]
    return runs, len(queries) / (time.perf_counter() - started)


def evaluated_queries(path: Path, qrels: Qrels, limit: int | None) -> dict[str, str]:
    queries = {q["_id"]: q["text"] for q in read_jsonl(path) if q["_id"] in qrels}
    missing = set(qrels) - set(queries)
    if missing:
        print(f"  warning: {len(missing)} judged queries are not in {path.name}; skipped")
    items: Iterable[tuple[str, str]] = queries.items()
    return dict(list(items)[:limit] if limit else items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=SCIFACT / "corpus.jsonl")
    parser.add_argument("--queries", type=Path, default=SCIFACT / "queries.jsonl")
    parser.add_argument("--qrels", type=Path, default=SCIFACT / "qrels" / "train.tsv")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    parser.add_argument("--limit-queries", type=int, default=None, metavar="N")
    parser.add_argument("--keep", type=Path, default=None, metavar="HOME",
                        help="build in HOME and keep it (reused by the next run)")  # fmt: skip
    args = parser.parse_args()
    for path in (args.corpus, args.queries, args.qrels):
        if not path.is_file():
            sys.exit(f"{path}: not found (SciFact lives in ../shared/data/scifact/)")
    if args.limit_queries is not None and args.limit_queries < 1:
        sys.exit("--limit-queries must be at least 1")

    total_started = time.perf_counter()
    corpus = list(read_jsonl(args.corpus))
    qrels = read_qrels(args.qrels)
    queries = evaluated_queries(args.queries, qrels, args.limit_queries)
    print(f"quality benchmark: {len(corpus):,} documents from {args.corpus.parent.name}, "
          f"{len(queries):,} judged queries")  # fmt: skip
    with paperfeed_home(args.keep) as home:
        print(f"  PAPERFEED_HOME={home}" + ("" if args.keep else " (removed at the end)"))
        started = time.perf_counter()
        to_corpus = load(corpus)
        load_s = time.perf_counter() - started
        steps = index(progress_bar())
        parse_report(queries)
        figures: dict[str, dict[str, float]] = {}
        rates: dict[str, float] = {}
        for mode in MODES:
            runs, rates[mode], states = search_mode(mode, queries, to_corpus, progress_bar())
            figures[mode] = score_run(runs, qrels)
            if mode != "keyword" and states != {"full"}:
                print(f"  warning: {mode} ran with the semantic index {', '.join(sorted(states))}")
        # The other fusion, for comparison: reciprocal-rank fusion of the same two lists.
        from django.test import override_settings

        with override_settings(SEARCH_FUSION="rrf"):
            runs, rrf_rate, _ = search_mode("hybrid", queries, to_corpus, progress_bar())
        rrf = score_run(runs, qrels)
    fts_runs, fts_rate = fts5_baseline(corpus, queries)
    fts = score_run(fts_runs, qrels)

    print(f"  load {load_s:.1f} s; index " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    print(f"\n  {'mode':<28} {'nDCG@10':>8} {'recall@100':>11} {'queries/s':>10}")
    for mode in MODES:
        f = figures[mode]
        print(f"  {mode:<28} {f['ndcg@10']:>8.3f} {f['recall@100']:>11.3f} {rates[mode]:>10,.1f}")
    print(f"  {'hybrid, rank fusion (RRF)':<28} {rrf['ndcg@10']:>8.3f} {rrf['recall@100']:>11.3f} "
          f"{rrf_rate:>10,.1f}")  # fmt: skip
    print(f"  {'SQLite FTS5 BM25 (porter)':<28} {fts['ndcg@10']:>8.3f} {fts['recall@100']:>11.3f} "
          f"{fts_rate:>10,.1f}")  # fmt: skip
    print(f"  (FTS5 reference measured before on the same data: nDCG@10 {FTS5_QUOTED:.3f}; "
          f"total run {time.perf_counter() - total_started:.0f} s)")  # fmt: skip
    if args.json:
        rounded = {m: {k: round(v, 4) for k, v in f.items()} for m, f in figures.items()}
        print(json.dumps(rounded))


if __name__ == "__main__":
    main()
