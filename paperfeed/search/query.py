"""The search query language: words, "phrases", -exclusions, author:, cat:, has:, dates and
arXiv ids.

query_parse never raises. What it cannot read becomes plain words or is dropped, with a short note
saying so, because a search box has to answer whatever people paste into it.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from paperfeed.lib.arxiv_ids import InvalidArxivId, normalize_arxiv_id
from paperfeed.lib.names import author_key

MAX_QUERY_CHARS = 2_000
MAX_ITEMS = 64  # words, phrases, exclusions, authors, categories and ids together
MAX_WORD_CHARS = 100
MAX_PHRASE_CHARS = 300  # longer than a word so that a pasted title still fits
MAX_NOTES = 8

# Archives whose subject classes are two capital letters: cs.LG, math.AG, astro-ph.CO, q-bio.NC.
_CAPITAL_CLASSES = frozenset(
    {"cs", "math", "stat", "eess", "econ", "q-bio", "q-fin", "nlin", "astro-ph"}
)
# Archives whose subject classes are lower-case words: cond-mat.stat-mech, physics.optics.
_WORD_CLASSES = frozenset({"cond-mat", "physics"})
# Archives without subject classes, with the retired ones that old papers still carry.
_PLAIN_ARCHIVES = frozenset(
    {"gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nucl-ex", "nucl-th"}
    | {"quant-ph", "acc-phys", "adap-org", "alg-geom", "ao-sci", "atom-ph", "bayes-an"}
    | {"chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "dg-ga", "funct-an", "mtrl-th"}
    | {"patt-sol", "plasm-ph", "q-alg", "solv-int", "supr-con"}
)
_ARCHIVES = _CAPITAL_CLASSES | _WORD_CLASSES | _PLAIN_ARCHIVES
_CATEGORY = re.compile(r"([a-z]+(?:-[a-z]+)?)(?:\.([a-z]+(?:-[a-z]+)*))?")

_FIELDS = {"au": "author", "category": "cat"} | {
    name: name for name in ("author", "cat", "has", "year", "after", "before")
}
# What `has:` can ask for: "code", a paper that names its own code repository.
HAS_VALUES = ("code",)
# A field is letters then a colon; "http://..." is a link, not a field called http.
_FIELD = re.compile(r"([A-Za-z]+):(?!//)(.*)", re.DOTALL)
_YEARS = re.compile(r"(\d{4})(?:(?:-|–|\.\.)(\d{4}))?")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_SPACES = re.compile(r"\s+")
# Control and invisible characters read as spaces, and so do lone surrogates, which engines
# would fail to encode.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u2060\ufeff\ud800-\udfff]")
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»＂", '"'))
# Symbols stripped from the edges of words besides Unicode punctuation; a trailing + or # stays
# so that C++ and C# survive.
_EDGE_SYMBOLS = frozenset("$+<=>^`|~")


@dataclass(frozen=True)
class ParsedQuery:
    """A search query, read. Authors must all match; any one of the categories matches; every
    `has` value must hold (`has:code`) and no `lacks` value may (`-has:code`).

    Terms, phrases and author names are kept as typed and may hold any character (quotes, colons,
    "OR"): engines must tokenise or escape them, never splice them into their own query syntax.
    A category without a dot ("cs", "hep-th") matches itself and every "cs.*".
    """

    raw: str
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    has: tuple[str, ...] = ()  # among HAS_VALUES
    lacks: tuple[str, ...] = ()
    after: date | None = None  # inclusive
    before: date | None = None  # inclusive
    arxiv_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def arxiv_id(self) -> str | None:
        """The id when the query typed was one arXiv id or URL and nothing else.

        Judged on the typed text, so filters merged from a form by with_filters do not hide it.
        """
        if len(self.arxiv_ids) != 1 or self.terms or self.phrases or self.excluded:
            return None
        return self.arxiv_ids[0] if len(self.raw.split(maxsplit=1)) == 1 else None

    @property
    def text(self) -> str:
        return " ".join((*self.terms, *self.phrases))

    @property
    def has_filters(self) -> bool:
        return bool(
            self.authors or self.categories or self.has or self.lacks or self.after or self.before
        )

    @property
    def is_empty(self) -> bool:
        """Nothing to look for and nothing to filter by; exclusions alone still count as a query."""
        searched = self.terms or self.phrases or self.excluded or self.arxiv_ids
        return not (searched or self.has_filters)

    def with_filters(
        self,
        *,
        categories: Iterable[str] = (),
        authors: Iterable[str] = (),
        has: Iterable[str] = (),
        after: date | None = None,
        before: date | None = None,
    ) -> ParsedQuery:
        """Merge a form's filters: the union of categories, authors and `has` values, the tighter
        date bounds."""
        reader = _Reader()
        reader.load(self)
        for value in categories:
            reader.category(value, shown=value)
        for name in authors:
            reader.author(name)
        for value in has:
            reader.flag(value, negated=False, shown=f"has:{value}")
        reader.dates(after, before)
        return reader.result(self.raw)


def query_parse(text: str) -> ParsedQuery:
    """Read a search box query. Never raises; see ParsedQuery.notes for what was not understood."""
    raw = text if isinstance(text, str) else ""
    reader = _Reader()
    considered = raw
    if len(raw) > MAX_QUERY_CHARS:
        considered = raw[:MAX_QUERY_CHARS]
        if not raw[MAX_QUERY_CHARS].isspace() and " " in considered[-MAX_WORD_CHARS:]:
            considered = considered.rsplit(" ", 1)[0]  # no half word at the cut
        reader.note(f"the query is long: only its first {MAX_QUERY_CHARS:,} characters were read")
    reader.read(_clean(considered))
    return reader.result(raw)


def category_canonical(value: str) -> str | None:
    """arXiv's spelling of a category typed in any case ("cs.lg" -> "cs.LG"), or None.

    An archive alone ("cs", "cs.*") comes back as the archive and stands for all its categories.
    """
    cleaned = value.strip().lower().removesuffix("*").removesuffix(".")
    match = _CATEGORY.fullmatch(cleaned)
    if not match or match[1] not in _ARCHIVES:
        return None
    archive, subject = match[1], match[2]
    if subject is None:
        return archive
    if archive in _CAPITAL_CLASSES and len(subject) == 2:
        return f"{archive}.{subject.upper()}"
    if archive in _WORD_CLASSES:
        return f"{archive}.{subject}"
    return None


class _Reader:
    """Collects what a query asks for, dropping duplicates and anything past MAX_ITEMS."""

    def __init__(self) -> None:
        self.lists: dict[str, list[str]] = {
            name: []
            for name in (
                "terms",
                "phrases",
                "excluded",
                "authors",
                "categories",
                "has",
                "lacks",
                "arxiv_ids",
            )
        }
        self.seen: set[tuple[str, str]] = set()
        self.dropped = 0
        self.after: date | None = None
        self.before: date | None = None
        self.notes: list[str] = []

    def load(self, query: ParsedQuery) -> None:
        for name in self.lists:
            key = author_key if name == "authors" else None
            for value in getattr(query, name):
                self.keep(name, value, key(value) if key else None)
        self.after, self.before = query.after, query.before
        # The crossed-dates note is written again by result() if the dates still cross.
        self.notes = [note for note in query.notes if " is later than " not in note]

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def keep(self, name: str, value: str, key: str | None = None) -> None:
        entry = (name, value.casefold() if key is None else key)
        if entry in self.seen:
            return
        if len(self.seen) >= MAX_ITEMS:
            self.dropped += 1
            return
        self.seen.add(entry)
        self.lists[name].append(value)

    def read(self, text: str) -> None:
        pos, end = 0, len(text)
        while True:
            while pos < end and text[pos].isspace():
                pos += 1
            if pos >= end:
                return
            negated = text[pos] == "-"
            start = pos = pos + 1 if negated else pos
            while pos < end and not text[pos].isspace() and text[pos] != '"':
                pos += 1
            word = text[start:pos]
            if pos >= end or text[pos] != '"':
                self.bare(word, negated)
                continue
            close = text.find('"', pos + 1)
            if close == -1:  # pairs are read left to right, so no other quote follows
                self.note("ignored an unmatched quote: the words after it were read one by one")
                if not word.endswith(":"):
                    self.bare(word, negated)
                pos += 1
                continue
            quoted, pos = text[pos + 1 : close], close + 1
            field = _FIELD.fullmatch(_strip(word, right=False))
            if word.endswith(":") and field and field[1].lower() in _FIELDS:
                self.field(field[1].lower(), quoted, negated, shown=f'{word}"{quoted}"')
                continue
            if word.endswith(":") and field:
                self.note(f'read "{_show(word)}" as text: there is no {field[1]}: filter')
            self.bare(word, negated)
            self.phrase(quoted, negated and not word)

    def bare(self, word: str, negated: bool) -> None:
        if not word:
            return
        core = _strip(word)
        if not negated and (arxiv_id := _arxiv_id(word) or _arxiv_id(core)):
            self.keep("arxiv_ids", arxiv_id)
            return
        field = _FIELD.fullmatch(_strip(word, right=False))
        if field and field[1].lower() in _FIELDS:
            self.field(field[1].lower(), _strip(field[2]), negated, shown=word)
            return
        if field and _strip(field[2]):
            self.note(f'read "{_show(word)}" as text: there is no {field[1]}: filter')
        if len(core) > MAX_WORD_CHARS:
            self.note(f"shortened a {len(core)}-character word to {MAX_WORD_CHARS}")
            core = core[:MAX_WORD_CHARS]
        if core:
            self.keep("excluded" if negated else "terms", core)

    def phrase(self, quoted: str, negated: bool) -> None:
        phrase = _strip(_SPACES.sub(" ", quoted).strip())
        if not phrase:
            return
        if not negated and (arxiv_id := _arxiv_id(phrase)):
            self.keep("arxiv_ids", arxiv_id)
            return
        if len(phrase) > MAX_PHRASE_CHARS:
            self.note(f"shortened a {len(phrase)}-character phrase to {MAX_PHRASE_CHARS}")
            phrase = phrase[:MAX_PHRASE_CHARS].rstrip()
        self.keep("excluded" if negated else "phrases", phrase)

    def field(self, name: str, value: str, negated: bool, shown: str) -> None:
        kind = _FIELDS[name]
        value = _SPACES.sub(" ", value).strip()
        if negated and kind != "has":
            self.note(f'ignored "-{_show(shown)}": a filter cannot be excluded')
        elif not value:
            self.note(f'ignored "{name}:" with nothing after it')
        elif kind == "author":
            self.author(value)
        elif kind == "cat":
            for part in value.split(","):
                self.category(part, shown=f"{name}:{part}")
        elif kind == "has":
            for part in value.split(","):
                self.flag(part, negated, shown=f"{'-' if negated else ''}has:{part}")
        elif kind == "year":
            years = _YEARS.fullmatch(value)
            first = _period(years[1]) if years else None
            last = _period(years[2] or years[1]) if years else None
            if first and last:
                self.dates(first[0], last[1])
            else:
                self.note(f'ignored "{_show(shown)}": not a year such as 2024 or 2020-2023')
        elif not (bounds := _period(value)):
            self.note(f'ignored "{_show(shown)}": not a date (use YYYY-MM-DD, YYYY-MM or YYYY)')
        elif kind == "after":
            self.dates(bounds[0], None)
        else:
            self.dates(None, bounds[1])

    def author(self, name: str) -> None:
        name = _SPACES.sub(" ", name).strip()[:MAX_WORD_CHARS]
        if key := author_key(name):
            self.keep("authors", name, key)
        elif name:
            self.note(f'ignored author "{_show(name)}": it holds no letters or digits')

    def category(self, value: str, shown: str) -> None:
        if canonical := category_canonical(value):
            self.keep("categories", canonical)
        elif value.strip():
            self.note(f'ignored "{_show(shown)}": not an arXiv category such as cs.LG or hep-th')

    def flag(self, value: str, negated: bool, shown: str) -> None:
        """A `has:` value: every result has it, or with a minus none does."""
        flag = value.strip().lower()
        if flag in HAS_VALUES:
            self.keep("lacks" if negated else "has", flag)
        elif flag:
            known = ", ".join(f"has:{v}" for v in HAS_VALUES)
            self.note(f'ignored "{_show(shown)}": the only such filter is {known}')

    def dates(self, after: date | None, before: date | None) -> None:
        if after and (self.after is None or after > self.after):
            self.after = after
        if before and (self.before is None or before < self.before):
            self.before = before

    def result(self, raw: str) -> ParsedQuery:
        if self.dropped:
            self.note(f"kept the first {MAX_ITEMS} words and filters; ignored {self.dropped} more")
        if self.after and self.before and self.after > self.before:
            self.note(f"{self.after} is later than {self.before}, so no paper can match the dates")
        for flag in sorted(set(self.lists["has"]) & set(self.lists["lacks"])):
            self.note(f'"has:{flag}" and "-has:{flag}" together: no paper can match')
        notes = self.notes[:MAX_NOTES]
        if len(self.notes) > MAX_NOTES:
            notes.append(f"and {len(self.notes) - MAX_NOTES} more problems like these")
        lists = {name: tuple(values) for name, values in self.lists.items()}
        return ParsedQuery(
            raw=raw,
            terms=lists["terms"],
            phrases=lists["phrases"],
            excluded=lists["excluded"],
            authors=lists["authors"],
            categories=lists["categories"],
            has=lists["has"],
            lacks=lists["lacks"],
            after=self.after,
            before=self.before,
            arxiv_ids=lists["arxiv_ids"],
            notes=tuple(notes),
        )


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", _INVISIBLE.sub(" ", text)).translate(_QUOTES)


def _is_edge(char: str) -> bool:
    return char in _EDGE_SYMBOLS or unicodedata.category(char).startswith("P")


def _strip(text: str, *, right: bool = True) -> str:
    """Drop punctuation around a word: "(transformers)," -> "transformers"."""
    start, stop = 0, len(text)
    while start < stop and _is_edge(text[start]):
        start += 1
    while right and stop > start and _is_edge(text[stop - 1]) and text[stop - 1] not in "+#":
        stop -= 1
    return text[start:stop]


def _arxiv_id(text: str) -> str | None:
    if not text or len(text) > 200 or not any(char.isdigit() for char in text):
        return None
    try:
        return normalize_arxiv_id(text)
    except InvalidArxivId:
        return None


def _period(value: str) -> tuple[date, date] | None:
    """The first and last day of "2025", "2025-03" or "2025-03-14"; None when not a real date."""
    if not (match := _DATE.fullmatch(value)):
        return None
    year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    try:
        first = date(year, month or 1, day or 1)
        last = date(year, month or 12, day or calendar.monthrange(year, month or 12)[1])
    except ValueError:
        return None
    return first, last


def _show(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"
