"""Search and similar papers, as plain functions that pages, the API and the CLI call."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.cache import caches

from paperfeed.lib.metrics import SEARCH_SECONDS
from paperfeed.papers.models import Paper
from paperfeed.search.engine import SearchEngine, engine
from paperfeed.search.hybrid import rrf_fuse, zscore_fuse
from paperfeed.search.keyword import day_number, has_terms
from paperfeed.search.models import PaperSummary, PaperVector
from paperfeed.search.query import ParsedQuery, query_parse
from paperfeed.search.snippets import Piece, query_stems, snippet
from paperfeed.search.vectors import RESCORE

MODES = ("hybrid", "keyword", "semantic")
# Each list hands its top FUSION_DEPTH papers to the fusion (more for deep pages).
FUSION_DEPTH = 100


# A filtered semantic search either scans the matching papers exactly or over-fetches from the
# graph and keeps the candidates that pass, whichever costs less. Costs in microseconds, measured
# at 1M papers on 2 cores (bench/search.py): the graph visits ~ef nodes at ~7 us each. Through
# the filter columns (categories and dates), checking a candidate is free and an exact scan
# gathers and scores each matching vector in ~0.45 us. Through tantivy (authors, phrases,
# exclusions), each candidate check costs ~5 us and listing the matching ids ~0.8 us each.
@dataclass(frozen=True)
class Costs:
    exact: float  # per matching paper
    check: float  # per graph candidate

    def graph(self, fetch: int, expansion: int, graphs: int = 1) -> float:
        """Every graph is searched for `fetch` candidates, re-scored from the float16 rows."""
        return (7.0 * max(expansion, fetch) + 0.3 * fetch) * graphs + self.check * fetch


COLUMN_COSTS = Costs(exact=0.45, check=0.05)
TANTIVY_COSTS = Costs(exact=1.25, check=5.0)
OVERFETCH_CAP = 20_000
MAX_RESULTS = 1_000  # deepest result a page may reach
DEFERRED = ("title_raw", "abstract_raw", "authors_raw", "versions", "comments", "journal_ref")
# Answers derived from one version of the search indexes are kept in this cache (settings.CACHES)
# under keys that name the version, so a new version never serves an old answer; the timeout
# only bounds how long an unused answer stays.
SEARCH_CACHE = "search"
SIMILAR_CACHE_SECONDS = 3600


class SearchModeError(ValueError):
    pass


@dataclass
class SearchHit:
    paper: Paper
    score: float
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    snippet: list[Piece] = field(default_factory=list)


@dataclass
class SearchResults:
    query: ParsedQuery
    mode: str
    page: int
    per_page: int
    hits: list[SearchHit]
    has_next: bool
    semantic: str  # "full", "partial" (vectors still being computed) or "unavailable"
    vectors: int = 0  # papers with a vector in the live index
    papers: int = 0  # papers in the keyword index
    notes: list[str] = field(default_factory=list)


def papers_search(
    *,
    q: str,
    mode: str = "hybrid",
    page: int = 1,
    per_page: int = 20,
    categories: Sequence[str] = (),
    authors: Sequence[str] = (),
    after: dt.date | None = None,
    before: dt.date | None = None,
    code: bool = False,
) -> SearchResults:
    """Search the catalog. Never raises for what a user typed; an unknown mode is the caller's
    error (SearchModeError). `code` keeps only papers that name their own code repository, as
    `has:code` in the query does."""
    if mode not in MODES:
        raise SearchModeError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
    started = time.perf_counter()
    parsed = query_parse(q).with_filters(
        categories=tuple(categories), authors=tuple(authors), has=("code",) if code else (),
        after=after, before=before,
    )  # fmt: skip
    page, per_page = max(1, page), max(1, min(per_page, 100))
    need = min(page * per_page, MAX_RESULTS) + 1
    current = engine()
    notes = list(parsed.notes)
    semantic_state, vectors, papers = _semantic_state(current, load=mode != "keyword")

    pinned = _pinned(parsed)
    keyword: dict[int, float] = {}  # id -> BM25, best first
    semantic: dict[int, float] = {}  # id -> cosine, best first
    query_vector = None
    if mode in ("keyword", "hybrid") or not parsed.text:
        depth = need if mode == "keyword" else max(need, FUSION_DEPTH)
        keyword = dict(current.keyword.search(parsed, limit=depth))
    if mode in ("semantic", "hybrid") and parsed.text:
        if semantic_state == "unavailable":
            notes.append("semantic search is not available yet: these are keyword results")
        else:
            depth = need if mode == "semantic" else max(need, FUSION_DEPTH)
            query_vector = current.encode_query(parsed.text)
            if query_vector is not None:
                semantic = dict(_semantic(current, parsed, query_vector, depth))
    ranked = _rank(keyword, semantic, query_vector, current)
    keyword_ids, semantic_ids = list(keyword), list(semantic)

    ranked = [(pid, s) for pid, s in ranked if pid not in pinned]
    ordered = [(pid, math.inf) for pid in pinned] + ranked
    start = (page - 1) * per_page
    window = ordered[start : start + per_page]
    hits = _hydrate(window, keyword_ids, semantic_ids, parsed)
    SEARCH_SECONDS.labels(mode=mode).observe(time.perf_counter() - started)
    return SearchResults(
        query=parsed, mode=mode, page=page, per_page=per_page, hits=hits,
        has_next=len(ordered) > start + per_page and start + per_page < MAX_RESULTS,
        semantic=semantic_state, vectors=vectors, papers=papers, notes=notes,
    )  # fmt: skip


def _rank(
    keyword: dict[int, float],
    semantic: dict[int, float],
    query_vector: np.ndarray | None,
    current: SearchEngine,
) -> list[tuple[int, float]]:
    if not (keyword and semantic):
        return list((semantic or keyword).items())
    weights = (settings.SEARCH_KEYWORD_WEIGHT, settings.SEARCH_SEMANTIC_WEIGHT)
    if settings.SEARCH_FUSION == "rrf":
        ranks: dict[int, int] = {pid: r for r, pid in enumerate(semantic, start=1)}
        # A paper not embedded yet cannot be ranked by meaning. Rather than count that as a
        # miss, it keeps its keyword rank in the semantic list too, so a new paper is not
        # pushed down while `paperfeed index` catches up.
        for rank, pid in enumerate(keyword, start=1):
            if pid not in ranks and current.vectors.vector(pid) is None:
                ranks[pid] = rank
        return rrf_fuse([(list(keyword), weights[0]), (ranks, weights[1])],
                        k=settings.SEARCH_RRF_K)  # fmt: skip
    # Score fusion over the union of both lists. A paper the keyword list did not retrieve scores
    # 0 there, as in CombSUM (on SciFact its exact BM25 changes nothing: nDCG@10 0.742 either way,
    # and it would cost another tantivy query). Cosine is exact for every candidate: one lookup in
    # the flat vectors. A paper not embedded yet has no cosine; zscore_fuse gives it its keyword
    # standing in that column, so it is not pushed down while `paperfeed index` catches up.
    bm25 = {**dict.fromkeys(semantic, 0.0), **keyword}
    cosine = dict(semantic)
    if query_vector is not None:
        missed = [pid for pid in keyword if pid not in semantic]
        cosine.update(current.vectors.similarities(query_vector, missed))
    return zscore_fuse([(bm25, weights[0]), (cosine, weights[1])])


def _semantic_state(current: SearchEngine, *, load: bool) -> tuple[str, int, int]:
    current.vectors.refresh()
    current.keyword.refresh()
    vectors, papers = current.vectors.count, current.keyword.num_docs()
    if not vectors or (load and current.embedder() is None):
        return "unavailable", vectors, papers
    return ("partial" if vectors < papers else "full"), vectors, papers


def _pinned(parsed: ParsedQuery) -> list[int]:
    """Papers named by id in the query come first."""
    if not parsed.arxiv_ids:
        return []
    found = dict(Paper.objects.filter(arxiv_id__in=parsed.arxiv_ids).values_list("arxiv_id", "id"))
    return [found[i] for i in parsed.arxiv_ids if i in found]


def _semantic(
    current: SearchEngine, parsed: ParsedQuery, query: np.ndarray, k: int
) -> list[tuple[int, float]]:
    constraint = current.keyword.constraint_query(parsed)
    if constraint is None:
        return current.vectors.search(query, k)
    mask = _column_mask(current, parsed)
    if mask is not None:  # categories, has: and dates only: numpy columns answer them
        rows = np.flatnonzero(mask)

        def passing(pids: list[int]) -> set[int]:
            found = current.vectors.rows_of(pids)
            ok = (found >= 0) & mask[np.maximum(found, 0)]
            return {pid for pid, good in zip(pids, ok, strict=True) if good}

        def exact_rows() -> list[tuple[int, float]]:
            return current.vectors.search_rows(query, rows, k)

        return _filtered(current, query, k, len(rows), passing, exact_rows, COLUMN_COSTS)
    matching = current.keyword.count(constraint)

    def exact() -> list[tuple[int, float]]:
        pids = current.keyword.matching_pids(constraint, limit=matching)
        return current.vectors.search_among(query, np.asarray(pids, dtype=np.uint64), k)

    return _filtered(current, query, k, matching,
                     lambda pids: current.keyword.keep_matching(pids, constraint), exact,
                     TANTIVY_COSTS)  # fmt: skip


def _column_mask(current: SearchEngine, parsed: ParsedQuery) -> np.ndarray | None:
    """Which vector rows pass the query's filters, when its constraints are categories, has:
    values and dates only and the columns are there; None sends the search through tantivy."""
    if parsed.authors or parsed.phrases or parsed.excluded or parsed.lacks:
        return None
    columns = current.filter_columns()
    if columns is None or len(columns) != current.vectors.count:
        return None
    return columns.mask(
        categories=parsed.categories,
        required=has_terms(parsed.has),
        after=day_number(parsed.after) if parsed.after else None,
        before=day_number(parsed.before) if parsed.before else None,
    )


def _filtered(
    current: SearchEngine,
    query: np.ndarray,
    k: int,
    matching: int,
    passing: Callable[[list[int]], set[int]],
    exact: Callable[[], list[tuple[int, float]]],
    costs: Costs,
) -> list[tuple[int, float]]:
    """The k nearest papers among `matching` that pass a filter: over-fetch from the graph and
    keep those that pass, or scan the matching papers exactly, whichever costs less."""
    if matching == 0:
        return []
    vectors = current.vectors
    fetch = (
        _overfetch(matching, vectors.count, vectors.expansion, k, costs, len(vectors.graphs))
        if vectors.graphs
        else None
    )
    while fetch is not None:
        # In the graphs' int8 order: only the candidates kept are re-scored exactly (a broad
        # filter may fetch thousands, and each re-scored row is a read).
        candidates = current.vectors.search(query, fetch, approximate=True)
        passed = passing([pid for pid, _ in candidates])
        kept = [(pid, s) for pid, s in candidates if pid in passed]
        if len(kept) >= k or len(candidates) < fetch:
            return _rescored(current, query, kept, k)
        # Fewer passed than the filter's share predicted: a query's neighbours cluster in some
        # categories and years. Fetch as many as the share observed among them calls for, or
        # scan exactly when that is cheaper. Past the cap, a filter broad enough that an exact
        # scan costs more keeps the best of the candidates that passed, fewer than k.
        wanted = max(2 * fetch, int(2 * k * len(candidates) / max(1, len(kept))))
        following = min(wanted, OVERFETCH_CAP)
        if costs.exact * matching <= costs.graph(following, vectors.expansion, len(vectors.graphs)):
            break
        if following <= fetch:
            return _rescored(current, query, kept, k)
        fetch = following
    return exact()


def _rescored(
    current: SearchEngine, query: np.ndarray, kept: list[tuple[int, float]], k: int
) -> list[tuple[int, float]]:
    """The best k of these graph candidates (in int8 order) by their exact cosine: the first
    max(2k, RESCORE) are re-scored from the float16 rows."""
    head = [pid for pid, _ in kept[: max(2 * k, RESCORE)]]
    exact = current.vectors.similarities(query, head)
    return sorted(exact.items(), key=lambda hit: -hit[1])[:k]


def _overfetch(
    matching: int, total: int, expansion: int, k: int, costs: Costs, graphs: int = 1
) -> int | None:
    """How many graph candidates to fetch so that about k pass a filter that `matching` of the
    `total` papers pass; None when an exact scan of the matching papers is cheaper."""
    if not total:
        return None
    fetch = min(OVERFETCH_CAP, max(2 * k, int(2 * k * total / matching)))
    if costs.exact * matching <= costs.graph(fetch, expansion, graphs):
        return None
    return fetch


def _hydrate(
    window: list[tuple[int, float]],
    keyword_ids: list[int],
    semantic_ids: list[int],
    parsed: ParsedQuery,
) -> list[SearchHit]:
    papers = Paper.objects.defer(*DEFERRED).in_bulk([pid for pid, _ in window])
    keyword_rank = {pid: i for i, pid in enumerate(keyword_ids, start=1)}
    semantic_rank = {pid: i for i, pid in enumerate(semantic_ids, start=1)}
    stems = query_stems([*parsed.terms, *parsed.phrases])
    hits = []
    for pid, score in window:
        paper = papers.get(pid)
        if paper is None:  # deleted since it was indexed
            continue
        hits.append(SearchHit(
            paper=paper, score=score if math.isfinite(score) else 1.0,
            keyword_rank=keyword_rank.get(pid), semantic_rank=semantic_rank.get(pid),
            snippet=snippet(paper.abstract, stems),
        ))  # fmt: skip
    return hits


@dataclass
class SimilarPaper:
    paper: Paper
    score: float


def papers_similar(*, paper: Paper, limit: int = 10) -> list[SimilarPaper]:
    """The papers nearest to this one by meaning, excluding itself; by shared words when it has
    no vector yet. The neighbours found in the vector index are cached (see similar_ids)."""
    found = similar_ids(paper=paper, limit=limit)
    papers = Paper.objects.defer(*DEFERRED).in_bulk([pid for pid, _ in found])
    return [SimilarPaper(papers[pid], score) for pid, score in found if pid in papers]


def similar_ids(*, paper: Paper, limit: int) -> list[tuple[int, float]]:
    """(paper id, score) of the `limit` papers nearest to this one, best first, itself left out.

    A paper's neighbours change only when `paperfeed index` publishes a new version of the
    vector index, so they are kept in the "search" cache under the model and the live version
    (a new version, or another model, is a new key) for SIMILAR_CACHE_SECONDS. Each process
    has its own copy; the papers themselves are read from the database on every call. The
    keyword answer for a paper without a vector is not kept: the keyword index changes apart
    from the vectors, and the paper's own vector arrives with the next version anyway."""
    current = engine()
    current.vectors.refresh()  # one stat: a new version is seen at once
    key = _similar_key(current, paper.id, limit)
    if key is not None and (hit := caches[SEARCH_CACHE].get(key)) is not None:
        return list(hit)
    found_ids, matrix = paper_vectors(paper_ids=[paper.id])  # the index, else the database
    vector = matrix[0] if found_ids else None
    if vector is not None and current.vectors.count:
        found = current.vectors.search(vector, limit + 1, quick=True)
        key = _similar_key(current, paper.id, limit)  # the version searched, if newer
    else:
        found, key = current.keyword.search(query_parse(paper.title), limit=limit + 1), None
    found = [(int(pid), float(score)) for pid, score in found if pid != paper.id][:limit]
    if key is not None:
        caches[SEARCH_CACHE].set(key, found, SIMILAR_CACHE_SECONDS)
    return found


def _similar_key(current: SearchEngine, paper_id: int, limit: int) -> str | None:
    """The cache key of a paper's neighbours in the live vector index; None without one. The
    count is in the key too: an index rebuilt from nothing starts again at version 1."""
    vectors = current.vectors
    if not vectors.count:
        return None
    model = hashlib.sha256(current.model.encode()).hexdigest()[:16]  # any name, a safe key
    return f"similar:{model}:{vectors.version}:{vectors.count}:{paper_id}:{limit}"


def paper_vectors(*, paper_ids: Sequence[int]) -> tuple[list[int], np.ndarray]:
    """The vectors (float32, unit length) of these papers under the configured model: from the
    live vector index, and from the database for papers the index does not hold yet. Papers
    without a vector are left out; the ids returned keep the order of `paper_ids`."""
    current = engine()
    current.vectors.refresh()
    wanted = list(dict.fromkeys(int(pid) for pid in paper_ids))
    index = current.vectors
    keys, matrix = index.lookup(wanted)
    found: dict[int, np.ndarray] = dict(zip(keys.tolist(), matrix, strict=True))
    missing = [pid for pid in wanted if pid not in found]
    for start in range(0, len(missing), 2_000):
        rows_db = PaperVector.objects.filter(
            model=current.model, paper_id__in=missing[start : start + 2_000]
        ).values_list("paper_id", "vector")
        for pid, raw in rows_db:
            found[pid] = np.frombuffer(bytes(raw), dtype=np.float16).astype(np.float32)
    ids = [pid for pid in wanted if pid in found]
    if not ids:
        dim = index.dim if index.count else 0
        return [], np.zeros((0, dim), dtype=np.float32)
    return ids, np.stack([found[pid] for pid in ids])


def vectors_sample(*, count: int, recent: int = 50_000, seed: int = 0) -> np.ndarray:
    """Vectors of `count` papers drawn at random among the `recent` most recently stored ones
    (float32): the background that personal recommendations learn against."""
    current = engine()
    current.vectors.refresh()
    index = current.vectors
    rng = np.random.default_rng(seed)
    if index.count >= count:
        # Paper ids grow as papers are stored, so the last keys are the recent papers.
        first = max(0, index.count - recent)
        rows = np.sort(rng.choice(np.arange(first, index.count), count, replace=False))
        return index.rows(rows).astype(np.float32)
    raw = PaperVector.objects.filter(model=current.model).order_by("-paper_id")
    chunks = [bytes(v) for v in raw.values_list("vector", flat=True)[:recent]]
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    take = rng.choice(len(chunks), min(count, len(chunks)), replace=False)
    return np.stack([np.frombuffer(chunks[i], dtype=np.float16) for i in take]).astype(np.float32)


def paper_summary(paper_id: int) -> PaperSummary | None:
    """The paper's key phrases and extracted summary, once `paperfeed index` has described it."""
    return PaperSummary.objects.filter(paper_id=paper_id).first()


def paper_summaries(paper_ids: Iterable[int]) -> dict[int, PaperSummary]:
    """The key phrases and summaries of these papers that have been described (one query)."""
    return {s.paper_id: s for s in PaperSummary.objects.filter(paper_id__in=list(paper_ids))}
