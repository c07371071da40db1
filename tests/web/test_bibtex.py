"""BibTeX for a paper and legible inline math: plain functions."""

from __future__ import annotations

from datetime import UTC, datetime

from paperfeed.papers.models import Paper
from paperfeed.web.bibtex import bibtex_key, paper_bibtex
from paperfeed.web.mathtext import math_html


def paper(**fields: object) -> Paper:
    defaults: dict[str, object] = {
        "arxiv_id": "1706.03762",
        "title": "Attention Is All You Need",
        "authors": ["Ashish Vaswani", "Noam Shazeer"],
        "primary_category": "cs.CL",
        "categories": "cs.CL cs.LG",
        "published": datetime(2017, 6, 12, tzinfo=UTC),
    }
    defaults.update(fields)
    return Paper(**defaults)


def test_bibtex_is_an_arxiv_style_misc_entry() -> None:
    assert paper_bibtex(paper()) == (
        "@misc{vaswani2017attention,\n"
        "  title={{Attention Is All You Need}},\n"
        "  author={Vaswani, Ashish and Shazeer, Noam},\n"
        "  year={2017},\n"
        "  eprint={1706.03762},\n"
        "  archivePrefix={arXiv},\n"
        "  primaryClass={cs.CL},\n"
        "  url={https://arxiv.org/abs/1706.03762}\n"
        "}"
    )


def test_bibtex_uses_the_source_latex_and_keeps_braces_balanced() -> None:
    entry = paper_bibtex(paper(
        title="Gröbner bases", title_raw="Gr\\\"obner bases {unbalanced",
        authors=["C. Balázs"], authors_raw=["C. Bal\\'azs"], doi="10.1/x",
    ))  # fmt: skip
    assert 'title={{Gr\\"obner bases unbalanced}}' in entry
    assert "author={Bal\\'azs, C.}" in entry
    assert "doi={10.1/x}" in entry


def test_bibtex_keys_are_ascii_and_skip_small_words() -> None:
    assert bibtex_key(paper(title="On the Theory of Everything", authors=["Élie Cartan"])) == (
        "cartan2017theory"
    )
    assert bibtex_key(paper(title="", authors=[], published=None)) == "anonymous"
    entry = paper_bibtex(paper(authors=[], published=None))
    assert "author=" not in entry and "year=" not in entry


def test_math_spans_become_unicode_with_scripts() -> None:
    html = math_html(r"Cost $O(n^2)$ for $\alpha_{i} \leq \mathbb{R}^{d}$.")
    assert html == (
        'Cost <span class="math" title="$O(n^2)$">O(n<sup>2</sup>)</span> for '
        '<span class="math" title="$\\alpha_{i} \\leq \\mathbb{R}^{d}$">'
        "α<sub>i</sub> ≤ ℝ<sup>d</sup></span>."
    )


def test_math_and_text_are_escaped() -> None:
    html = math_html("<script>x</script> $a<b$ $\\text{<img src=x>}$")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "a&lt;b" in html


def test_text_without_math_is_only_escaped() -> None:
    assert math_html("costs 5$ & more") == "costs 5$ &amp; more"
