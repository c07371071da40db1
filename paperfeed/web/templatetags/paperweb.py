"""Template filters for paper pages: math, short author lists, BibTeX, search snippets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from paperfeed.papers.models import Paper
from paperfeed.web.bibtex import paper_bibtex
from paperfeed.web.mathtext import math_html

register = template.Library()

AUTHORS_SHOWN = 4


@register.filter
def math(text: str) -> SafeString:
    """Escape `text` and render its inline `$…$` math legibly (see paperfeed.web.mathtext)."""
    return math_html(text or "")


@register.filter
def snippet_html(pieces: Iterable[tuple[str, bool]]) -> SafeString:
    """A search snippet's pieces as HTML: matched words in <mark>, the rest escaped with its math
    rendered. (The same as a template loop over the pieces, which cost a search page ~10 ms.)"""
    return mark_safe(  # noqa: S308 (every piece is escaped here or by math_html)
        "".join(
            f"<mark>{conditional_escape(text)}</mark>" if matched else math_html(text or "")
            for text, matched in pieces
        )
    )


@register.filter
def authors_short(authors: list[str], shown: int = AUTHORS_SHOWN) -> str:
    """ "A, B, C, D et al." for long author lists; the full list when it is short."""
    names = list(authors or [])
    if len(names) <= shown + 1:
        return ", ".join(names)
    return ", ".join(names[:shown]) + " et al."


@register.filter
def stars(count: int | None) -> str:
    """A star count as GitHub shows it: 950, 1.2k, 17k, 1.1M."""
    if count is None:
        return ""
    if count < 1000:
        return str(count)
    if count < 10_000:
        return f"{count / 1000:.1f}".rstrip("0").rstrip(".") + "k"
    if count < 1_000_000:
        return f"{count // 1000}k"
    return f"{count / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """mapping[key], or None: a per-paper value a view looked up for a whole list."""
    return mapping.get(key) if mapping else None


@register.filter
def phrase_query(phrase: str) -> str:
    """A key phrase as a search for exactly that phrase."""
    return '"' + phrase.replace('"', " ").strip() + '"'


@register.filter
def bibtex(paper: Paper) -> str:
    return paper_bibtex(paper)
