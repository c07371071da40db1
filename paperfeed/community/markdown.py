"""Comments are Markdown, rendered to HTML that is safe to show to everyone.

Two layers, so that a bug in one is not enough: markdown-it-py renders CommonMark with raw HTML
turned off (a `<script>` typed into a comment comes out as text), then nh3 keeps only an
allow-list of tags and attributes, links with http, https or mailto targets, and marks every
link rel="nofollow ugc noopener" so that comments earn spammers nothing.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
LINK_REL = "nofollow ugc noopener"


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_render(text: str) -> str:
    """The sanitised HTML for a Markdown comment."""
    html = _parser().render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 lets relative URLs through; a comment has no business linking inside the site's
    # own paths (or to "//evil.example"), so only absolute http(s) and mailto links stay.
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(ALLOWED_SCHEMES) else None
    if attribute == "start":
        return value if value.isdigit() and len(value) <= 6 else None
    return value
