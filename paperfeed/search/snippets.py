"""A short piece of an abstract around the words a query matched, with the matches marked.

Matching compares stems from the same analyzer as the keyword index, so "diffusion" marks
"diffusions" and "Diffusion". The result is a list of (text, matched) pieces: templates escape
each piece and wrap the matched ones in <mark>, so no HTML is ever built from paper text here.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

from paperfeed.search.keyword import PAPER_ANALYZER

Piece = tuple[str, bool]


def query_stems(texts: Iterable[str]) -> frozenset[str]:
    stems: set[str] = set()
    for text in texts:
        stems.update(PAPER_ANALYZER.analyze(text))
    return frozenset(stems)


def snippet(text: str, stems: frozenset[str], *, max_chars: int = 320) -> list[Piece]:
    """The window of about max_chars with the most matched words (the start when none match)."""
    pattern = _candidates(stems)
    hits = (
        [m.span() for m in pattern.finditer(text) if _stem(m.group()) in stems] if pattern else []
    )
    start, end = _window(text, hits, max_chars)
    pieces: list[Piece] = []
    cursor = start
    for a, b in hits:
        if a < start or b > end:
            continue
        if a > cursor:
            pieces.append((text[cursor:a], False))
        pieces.append((text[a:b], True))
        cursor = b
    if cursor < end:
        pieces.append((text[cursor:end], False))
    if start > 0:
        pieces.insert(0, ("… ", False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces


@lru_cache(maxsize=1_024)
def _candidates(stems: frozenset[str]) -> re.Pattern[str] | None:
    """The words that begin like a query stem (stems are nearly always prefixes of their words):
    one regular-expression scan finds them, and only they are stemmed."""
    # Stemming rewrites only a word's end ("study" -> "studi"), so all but a stem's last letter
    # begin the word; four letters at most keep the pattern short.
    heads = sorted({stem[: max(2, min(4, len(stem) - 1))] for stem in stems if stem})
    if not heads:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, heads)) + r")\w*", re.IGNORECASE)


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    stems = PAPER_ANALYZER.analyze(word)
    return stems[0] if stems else ""


def _window(text: str, hits: list[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    if len(text) <= max_chars:
        return 0, len(text)
    starts = [a for a, _ in hits]  # sorted, and the matches do not overlap
    ends = [b for _, b in hits]
    best_start, best_count = 0, -1
    for a in starts:  # a window starting a little before each match: keep the one with most
        begin = max(0, a - 60)
        count = bisect_right(ends, begin + max_chars) - bisect_left(starts, begin)
        if count > best_count:
            best_start, best_count = begin, count
    start = _word_boundary(text, best_start)
    end = min(len(text), start + max_chars)
    while end < len(text) and not text[end].isspace():
        end -= 1
    return start, max(end, start + 1)


def _word_boundary(text: str, position: int) -> int:
    if position <= 0:
        return 0
    space = text.rfind(" ", 0, position)
    return space + 1 if space >= 0 else 0
