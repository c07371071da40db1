"""The keyword index: tantivy BM25F over titles, authors and abstracts, plus filter fields.

tantivy prunes with block-max WAND, so a ranked OR query over very common words stays fast at
millions of papers, where SQLite FTS5 scores every matching row. The index is derived data: it
lives under PAPERFEED_HOME/index/keyword and `paperfeed index --rebuild` makes it again from the
database. Nothing here imports Django.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from paperfeed.search.query import ParsedQuery

# Field weights, BM25F style (Robertson, Zaragoza and Taylor, "Simple BM25 extension to multiple
# weighted fields", CIKM 2004): the ranked field `text` holds the title three times, the author
# names twice and the abstract once, so a field's weight multiplies its term frequency *before*
# BM25 saturates it, and one length normalisation covers the whole paper. Title > authors >
# abstract, and no field can swamp the rest the way a multiplier on a separately scored field
# does (title boost 3 on its own field: SciFact keyword nDCG@10 0.568; here 0.707, SQLite FTS5
# 0.699). One field per query word also keeps block-max WAND's work small at millions of papers.
FIELD_REPEATS = {"title": 3, "authors": 2, "abstract": 1}
MAX_TERMS = 64
EPOCH = dt.date(1970, 1, 1)
# Bumped whenever the schema or the analyzers change: the index then lives in a new folder and
# `paperfeed index` builds it from the database (see search.indexing.keyword_path).
# 4: the `has` field (has:code).
SCHEMA_VERSION = 4


@dataclass(frozen=True)
class IndexDocument:
    """What the keyword index holds of one paper."""

    pid: int
    title: str
    abstract: str
    authors: Sequence[str]
    categories: Sequence[str]
    published: dt.date | None
    has: Sequence[str] = ()  # the query language's has: values that hold ("code")


def _paper_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _name_analyzer() -> tantivy.TextAnalyzer:
    # Names are not stemmed: "Hinton" must not match "Hint".
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


PAPER_ANALYZER = _paper_analyzer()
NAME_ANALYZER = _name_analyzer()
# Lucene's default English stop set, as the paper analyzer turns them into tokens.
STOP_WORDS = (
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with"
)
STOP_TOKENS = frozenset(t for word in STOP_WORDS.split() for t in PAPER_ANALYZER.analyze(word))


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("pid", indexed=True, fast=True)
    builder.add_text_field("text", tokenizer_name="paperfeed_text")
    builder.add_text_field("authors", tokenizer_name="paperfeed_names")
    builder.add_text_field("cat", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("has", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("day", indexed=True, fast=True)
    return builder.build()


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def has_terms(has: Iterable[str]) -> list[str]:
    """The filter columns' names for a paper's has: values ("code" -> "has:code"): the prefix
    keeps them apart from category terms in the same bitset."""
    return [f"has:{value}" for value in has]


def category_terms(categories: Iterable[str]) -> list[str]:
    """A paper's categories and their archives, so that `cat:cs` finds every cs.* paper."""
    terms: list[str] = []
    for category in categories:
        for term in (category, category.split(".", 1)[0]):
            if term and term not in terms:
                terms.append(term)
    return terms


class KeywordIndex:
    """One tantivy index directory, opened for searching and, by the indexer, for writing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self.index.register_tokenizer("paperfeed_text", PAPER_ANALYZER)
        self.index.register_tokenizer("paperfeed_names", NAME_ANALYZER)
        self._meta_mtime = self._meta_stamp()

    def _meta_stamp(self) -> float:
        try:
            return os.stat(self.path / "meta.json").st_mtime
        except FileNotFoundError:
            return 0.0

    def refresh(self) -> None:
        """See what another process committed since the last search (a stat, then a reload)."""
        stamp = self._meta_stamp()
        if stamp != self._meta_mtime:
            self._meta_mtime = stamp
            self.index.reload()

    def num_docs(self) -> int:
        return int(self.index.searcher().num_docs)

    # Writing -----------------------------------------------------------------------------
    def writer(self, *, threads: int = 0) -> tantivy.IndexWriter:
        return self.index.writer(heap_size=256_000_000, num_threads=threads)

    def document(self, paper: IndexDocument) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("pid", paper.pid)
        # Each part is its own value of `text`, so that a phrase never spans two of them.
        for _ in range(FIELD_REPEATS["title"]):
            doc.add_text("text", paper.title)
        for _ in range(FIELD_REPEATS["authors"]):
            for name in paper.authors:
                doc.add_text("text", name)
        doc.add_text("text", paper.abstract)
        for name in paper.authors:
            doc.add_text("authors", name)  # for author: filters, matched as names
        for term in category_terms(paper.categories):
            doc.add_text("cat", term)
        for value in paper.has:
            doc.add_text("has", value)
        if paper.published is not None:
            doc.add_integer("day", day_number(paper.published))
        return doc

    # Queries -----------------------------------------------------------------------------
    def _term(self, field: str, token: str, *, reads: str = "freq") -> tantivy.Query:
        # BM25 needs term frequencies, a filter not even those; only phrases read positions.
        # Leaving positions unread keeps the .pos files (a fifth of the index) out of memory.
        return tantivy.Query.term_query(self.schema, field, token, index_option=reads)

    def _match(self, field: str, tokens: list[str]) -> tantivy.Query:
        if len(tokens) == 1:
            return self._term(field, tokens[0])
        return tantivy.Query.phrase_query(self.schema, field, list(tokens))

    def _word_clauses(self, words: Sequence[str]) -> list[tantivy.Query]:
        """Typed words, ranked by their tokens: a word that splits into several ("IL-6",
        "state-of-the-art") counts each of them, as any BM25 engine does; only quotes make a
        phrase (on SciFact, phrases for such words cost 0.007 nDCG@10). Stop words are left out
        of the ranking unless nothing else was typed: their BM25 weight is next to nothing, yet
        their posting lists hold most papers (at 1M papers, dropping them halves the time of a
        typical title query). They stay in the index, so quoted phrases still match them."""
        tokens = list(dict.fromkeys(t for w in words for t in PAPER_ANALYZER.analyze(w)))
        tokens = [t for t in tokens if t not in STOP_TOKENS] or tokens
        return [self._term("text", t) for t in tokens[:MAX_TERMS]]

    def _phrase_clause(self, phrase: str) -> tantivy.Query:
        tokens = PAPER_ANALYZER.analyze(phrase)[:MAX_TERMS]
        return self._match("text", tokens) if tokens else _nothing()

    def filter_clauses(self, parsed: ParsedQuery) -> list[tantivy.Query]:
        """Category, has:, author and date constraints, each one a query every result must
        match."""
        musts: list[tantivy.Query] = []
        if parsed.categories:
            cats = [self._term("cat", c, reads="basic") for c in parsed.categories]
            musts.append(cats[0] if len(cats) == 1 else _should(cats))
        musts += [self._term("has", value, reads="basic") for value in parsed.has]
        for name in parsed.authors:
            tokens = NAME_ANALYZER.analyze(name)
            musts.append(self._match("authors", tokens) if tokens else _nothing())
        if parsed.after or parsed.before:
            lower = day_number(parsed.after) if parsed.after else None
            upper = day_number(parsed.before) if parsed.before else None
            musts.append(
                tantivy.Query.range_query(
                    self.schema, "day", tantivy.FieldType.Integer, lower, upper
                )
            )
        return musts

    def ranked_query(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """Words ranked by BM25 (any may match), phrases required, exclusions and filters."""
        should = self._word_clauses(parsed.terms[:MAX_TERMS])
        musts = [self._phrase_clause(phrase) for phrase in parsed.phrases[:MAX_TERMS]]
        if not should and not musts:
            return None
        filters = self.filter_clauses(parsed)
        excluded = self.exclusions(parsed)
        if should and not (musts or filters or excluded):
            return _should(should)  # a flat disjunction: tantivy's block-max WAND applies
        subqueries: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if should:
            subqueries.append((tantivy.Occur.Must, _should(should)))
        subqueries += [(tantivy.Occur.Must, q) for q in musts]
        subqueries += [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0))
                       for q in filters]  # fmt: skip
        subqueries += [(tantivy.Occur.MustNot, q) for q in excluded]
        return tantivy.Query.boolean_query(subqueries)

    def every_word_query(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """Every word and phrase required, with the filters and exclusions: what a paper must
        hold to match a saved search's alert by its words. None when nothing was typed."""
        musts = self._word_clauses(parsed.terms[:MAX_TERMS])
        musts += [self._phrase_clause(phrase) for phrase in parsed.phrases[:MAX_TERMS]]
        if not musts:
            return None
        subqueries = [(tantivy.Occur.Must, q) for q in musts]
        subqueries += [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0))
                       for q in self.filter_clauses(parsed)]  # fmt: skip
        subqueries += [(tantivy.Occur.MustNot, q) for q in self.exclusions(parsed)]
        return tantivy.Query.boolean_query(subqueries)

    def hits(self, query: tantivy.Query, *, limit: int) -> list[tuple[int, float]]:
        """(paper id, score) of what a query built here matches, best first."""
        if limit <= 0:
            return []
        self.refresh()
        searcher = self.index.searcher()
        return self._pids_scores(searcher, searcher.search(query, limit=limit, count=False).hits)

    def constraint_query(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """What every result must satisfy, whatever ranks it: filters, phrases and exclusions.
        Semantic search checks its candidates against this."""
        musts = self.filter_clauses(parsed)
        musts += [self._phrase_clause(phrase) for phrase in parsed.phrases[:MAX_TERMS]]
        excluded = self.exclusions(parsed)
        if not musts and not excluded:
            return None
        subqueries = [(tantivy.Occur.Must, q) for q in musts or [tantivy.Query.all_query()]]
        subqueries += [(tantivy.Occur.MustNot, q) for q in excluded]
        return tantivy.Query.boolean_query(subqueries)

    def exclusions(self, parsed: ParsedQuery) -> list[tantivy.Query]:
        # An excluded word (or "phrase") is excluded wherever it appears: title, names, abstract.
        return [
            self._phrase_clause(text)
            for text in parsed.excluded[:MAX_TERMS]
            if PAPER_ANALYZER.analyze(text)
        ] + [self._term("has", value, reads="basic") for value in parsed.lacks]

    # Searching ---------------------------------------------------------------------------
    def search(
        self, parsed: ParsedQuery, *, limit: int, offset: int = 0
    ) -> list[tuple[int, float]]:
        """(paper id, BM25 score), best first; filter-only queries list the newest papers."""
        if limit <= 0:
            return []
        self.refresh()
        searcher = self.index.searcher()
        query = self.ranked_query(parsed)
        if query is not None:
            result = searcher.search(query, limit=limit, offset=offset, count=False)
        else:
            musts = self.filter_clauses(parsed)
            if not musts and not parsed.lacks:
                return []
            musts = musts or [tantivy.Query.all_query()]  # "-has:code" alone: all but those
            excluded = [(tantivy.Occur.MustNot, q) for q in self.exclusions(parsed)]
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in musts] + excluded)
            result = searcher.search(
                query, limit=limit, offset=offset, count=False, order_by_field="day"
            )
        return self._pids_scores(searcher, result.hits)

    def _pids_scores(
        self, searcher: tantivy.Searcher, hits: list[tuple[Any, tantivy.DocAddress]]
    ) -> list[tuple[int, float]]:
        if not hits:
            return []
        pids = searcher.fast_field_values("pid", [address for _, address in hits])
        return [
            (int(pid), float(score) if isinstance(score, float) else 0.0)
            for (score, _), pid in zip(hits, pids, strict=True)
            if pid is not None
        ]

    def count(self, query: tantivy.Query) -> int:
        self.refresh()
        result = self.index.searcher().search(query, limit=1, count=True)
        return int(result.count)  # type: ignore[attr-defined]

    def matching_pids(self, query: tantivy.Query, *, limit: int) -> list[int]:
        """Up to `limit` ids of the papers a filter query matches."""
        if limit <= 0:
            return []
        self.refresh()
        searcher = self.index.searcher()
        hits = searcher.search(query, limit=limit, count=False).hits
        return [pid for pid, _ in self._pids_scores(searcher, hits)]

    def keep_matching(self, pids: Sequence[int], query: tantivy.Query) -> set[int]:
        """Which of these papers a filter query matches (checks semantic candidates)."""
        if not pids:
            return set()
        self.refresh()
        searcher = self.index.searcher()
        ids = tantivy.Query.term_set_query(self.schema, "pid", [int(p) for p in pids])
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, ids), (tantivy.Occur.Must, query)])
        hits = searcher.search(both, limit=len(pids), count=False).hits
        return {pid for pid, _ in self._pids_scores(searcher, hits)}


def _should(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _nothing() -> tantivy.Query:
    return tantivy.Query.empty_query()
