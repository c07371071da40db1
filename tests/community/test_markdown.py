"""Comment Markdown renders to HTML in which nothing a commenter types can run."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from paperfeed.community.markdown import markdown_render

REL = 'rel="nofollow ugc noopener"'


class Markup(HTMLParser):
    """The tags and attributes a browser would see, and the comments it would skip."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.comments: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def test_markdown_renders_the_allowed_formatting() -> None:
    html = markdown_render(
        "Some *emphasis*, **strength** and `code`.\n\n> quoted\n\n- one\n- two\n\n"
        "3. three\n4. four\n\n```\nx < y\n```"
    )
    assert "<em>emphasis</em>" in html and "<strong>strength</strong>" in html
    assert "<code>code</code>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<ul>\n<li>one</li>" in html and '<ol start="3">' in html
    assert "<pre><code>x &lt; y\n</code></pre>" in html


def test_links_get_rel_nofollow_ugc_noopener() -> None:
    html = markdown_render("[paper](https://arxiv.org/abs/2401.12345) <mailto:a@b.org>")
    assert f'<a href="https://arxiv.org/abs/2401.12345" {REL}>paper</a>' in html
    assert f'<a href="mailto:a@b.org" {REL}>' in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "hello <script>alert(1)</script> world",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://ok.org" onclick="alert(1)">x</a>',
        "<div style='position:fixed'>overlay</div>",
        "<iframe src='https://evil.example'></iframe>",
        "<!-- comment --><b>bold</b>",
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(text: str) -> None:
    html = markdown_render(text)
    markup = Markup(html)
    assert markup.tags == {"p"}
    assert markup.attributes == set()
    assert markup.comments == []
    assert "&lt;" in html  # the commenter sees what they typed, as text


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "[x](/admin/)",
        "[x](//evil.example/)",
        "<javascript:alert(1)>",
    ],
)
def test_links_other_than_http_https_and_mailto_lose_their_target(link: str) -> None:
    markup = Markup(markdown_render(link))
    assert "href" not in markup.attributes


def test_images_become_plain_links() -> None:
    html = markdown_render("![tracker](https://evil.example/pixel.png)")
    assert "<img" not in html
    assert f'<a href="https://evil.example/pixel.png" {REL}>tracker</a>' in html


def test_empty_text_renders_empty() -> None:
    assert markdown_render("") == ""


def test_the_sanitiser_alone_stops_markup_the_renderer_let_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from markdown_it import MarkdownIt

    from paperfeed.community import markdown

    # As if the renderer passed raw HTML through: nh3 must still remove every dangerous part.
    monkeypatch.setattr(markdown, "_parser", lambda: MarkdownIt("commonmark", {"html": True}))
    html = markdown_render(
        '<script>alert(1)</script><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(1)" onclick="x()">a</a> <b style="x">b</b>'
        '<a href="/relative">r</a>'
    )
    markup = Markup(html)
    assert markup.tags <= {"p", "a"}
    assert markup.attributes <= {"rel"}
    assert "alert(1)" not in html
