"""A short piece of an abstract around the words a query matched, with the matches marked.

Matching compares stems from the same analyzer as the keyword index, so "diffusion" marks
"diffusions" and "Diffusion". The result is a list of (text, matched) pieces: templates escape
each piece and wrap the matched ones in <mark>, so no HTML is ever built from paper text here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from paperfeed.search.keyword import PAPER_ANALYZER

WORD = re.compile(r"\w+")
Piece = tuple[str, bool]


def query_stems(texts: Iterable[str]) -> frozenset[str]:
    stems: set[str] = set()
    for text in texts:
        stems.update(PAPER_ANALYZER.analyze(text))
    return frozenset(stems)


def snippet(text: str, stems: frozenset[str], *, max_chars: int = 320) -> list[Piece]:
    """The window of about max_chars with the most matched words (the start when none match)."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    # Only words that begin like a query stem are worth stemming (stems are nearly always
    # prefixes of their words): most of an abstract is skipped without a call into the analyzer.
    heads = tuple({stem[:2] for stem in stems})
    hits = [
        i
        for i, (a, b) in enumerate(words)
        if heads and text[a:b].lower().startswith(heads) and _stem(text[a:b]) in stems
    ]
    start, end = _window(text, words, hits, max_chars)
    pieces: list[Piece] = []
    cursor = start
    for i in hits:
        a, b = words[i]
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


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    stems = PAPER_ANALYZER.analyze(word)
    return stems[0] if stems else ""


def _window(
    text: str, words: list[tuple[int, int]], hits: list[int], max_chars: int
) -> tuple[int, int]:
    if len(text) <= max_chars:
        return 0, len(text)
    best_start, best_count = 0, -1
    for i in hits:  # a window starting a little before each match: keep the one with most matches
        begin = max(0, words[i][0] - 60)
        count = sum(1 for j in hits if begin <= words[j][0] and words[j][1] <= begin + max_chars)
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
