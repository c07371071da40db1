"""BibTeX for a paper, in the shape arXiv's own "Export BibTeX citation" gives."""

from __future__ import annotations

import re

from paperfeed.lib.names import author_key
from paperfeed.papers.models import Paper

_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "towards"})
_WORD = re.compile(r"[A-Za-z0-9]+")


def paper_bibtex(paper: Paper) -> str:
    """An `@misc` entry with eprint fields (what biblatex and natbib expect for arXiv papers).

    The source's own text is used (LaTeX accents and math kept), since BibTeX is read by LaTeX;
    the title is wrapped in a second pair of braces so that styles keep its capitals.
    """
    authors = [_last_first(name) for name in paper.authors_source if name.strip()]
    fields = [
        ("title", "{" + _braces_balanced(_one_line(paper.title_source)) + "}"),
        ("author", " and ".join(_braces_balanced(a) for a in authors)),
        ("year", str(paper.published.year) if paper.published else ""),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category or next(iter(paper.category_list), "")),
        ("doi", paper.doi),
        ("url", paper.abs_url),
    ]
    body = ",\n".join(f"  {name}={{{value}}}" for name, value in fields if value)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}"


def bibtex_key(paper: Paper) -> str:
    """`lastnameYEARfirstword`, e.g. `vaswani2017attention`, ASCII only."""
    first = paper.authors[0] if paper.authors else ""
    last = author_key(first).split()[-1] if author_key(first) else "anonymous"
    year = str(paper.published.year) if paper.published else ""
    words = [w.lower() for w in _WORD.findall(author_key(paper.title))]
    word = next((w for w in words if w not in _STOPWORDS), "")
    key = re.sub(r"[^a-z0-9]", "", f"{last}{year}{word}")
    return key or re.sub(r"[^A-Za-z0-9]", "", paper.arxiv_id)


def _last_first(name: str) -> str:
    """ "Ada Lovelace" → "Lovelace, Ada"; a name already with a comma, or one word, stays."""
    name = _one_line(name)
    if "," in name or " " not in name:
        return name
    first, last = name.rsplit(" ", 1)
    return f"{last}, {first}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _braces_balanced(text: str) -> str:
    """Unbalanced braces would swallow the rest of the entry: drop them all in that case."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    return text if depth == 0 else text.replace("{", "").replace("}", "")
