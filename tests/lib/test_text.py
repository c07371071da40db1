from __future__ import annotations

import re
from typing import Any

import orjson
import pytest

from paperfeed.lib.text import clean_name, clean_text, normalize_whitespace, split_authors
from tests.support import SHARED_DATA

SHARED = SHARED_DATA
HEAD_FILE = SHARED / "arxiv" / "kaggle-snapshot-head-200.jsonl"


@pytest.fixture(scope="module")
def head() -> dict[str, dict[str, Any]]:
    if not HEAD_FILE.is_file():
        pytest.fail(f"the shared data file {HEAD_FILE} is missing")
    lines = HEAD_FILE.read_bytes().splitlines()
    return {record["id"]: record for record in map(orjson.loads, lines)}


@pytest.mark.parametrize(
    ("arxiv_id", "field", "expected"),
    [
        ("0704.0019", "title", "Approximation for extinction probability of the contact process "
                               "based on the Gröbner basis"),
        ("0704.0073", "title", "A transcendental approach to Kollár's injectivity theorem"),
        ("0704.0005", "title", "From dyadic $\\Lambda_{\\alpha}$ to $\\Lambda_{\\alpha}$"),
        ("0704.0011", "title", "Computing genus 2 Hilbert-Siegel modular forms over "
                               "$\\Q(\\sqrt{5})$ via the Jacquet-Langlands correspondence"),
        ("0704.0068", "title", "A Note About the Ki(z) Functions"),
        ("0704.0119", "title", "Quasi-quartet crystal electric field ground state in a "
                               "tetragonal CeAg$_2$Ge$_2$ single crystal"),
        ("0704.0001", "authors", "C. Balázs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan"),
        ("0704.0049", "authors", "Mikkel Øbro"),
        ("0704.0062", "authors", "Rastislav Šrámek, Broňa Brejová, Tomáš Vinař"),
        ("0704.0032", "authors", "A. Esteban-Pretel, R. Tomàs and J. W. F. Valle"),
    ],
)  # fmt: skip
def test_it_turns_real_snapshot_latex_into_unicode(
    head: dict[str, dict[str, Any]], arxiv_id: str, field: str, expected: str
) -> None:
    assert clean_text(head[arxiv_id][field]) == expected


def test_it_cleans_a_real_abstract_and_keeps_its_math(head: dict[str, dict[str, Any]]) -> None:
    cleaned = clean_text(head["0704.0039"]["abstract"])
    assert cleaned.startswith("The quadratic pion scalar radius, ")
    assert "Recently, Ynduráin, using an Omnès representation" in cleaned
    assert "\n" not in cleaned and "  " not in cleaned
    cleaned = clean_text(head["0704.0002"]["abstract"])
    assert cleaned.startswith(
        "We describe a new algorithm, the $(k,\\ell)$-pebble game with colors,"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\\'e \\'{e} {\\'e} \\' e \\\"o \\\"{o} \\`a \\^o \\~n", "é é é é ö ö à ô ñ"),
        ("\\c{c} \\v{s} \\v s \\u{a} \\H{o} \\=a \\.z \\k{a} \\r{a}", "ç š š ă ő ā ż ą å"),
        ("\\'\\i \\'{\\i} \\^{\\i}", "í í î"),
        ("Stra\\ss e \\o \\O \\aa \\AA{} \\ae \\AE \\oe \\OE \\l \\L \\i", "Straße øØåÅ æÆœŒłŁı"),
        ('{\\AA}ngstr\\"om', "Ångström"),
        ("50\\% \\& \\_ \\# \\$5 \\{x\\}", "50% & _ # $5 {x}"),
        ("a~b http://x.org/~me", "a b http://x.org/~me"),
        (
            "2--3 and---so on, <-- and --> stay, ---- too",
            "2–3 and—so on, <-- and --> stay, ---- too",
        ),
        ("``quoted''", "“quoted”"),
        ("\\textit{a} \\emph{b} \\textbf {c} \\texttt{d} {\\it e} \\mathrm{f}", "a b c d e f"),
        ("{B}ayesian {{nested {braces}}}", "Bayesian nested braces"),
        ("\\ldots, \\LaTeX\\ and 360{\\deg}", "…, LaTeX and 360°"),
        ("\\textcolor{blue}{here} \\url{http://a.org/~b_c}", "here http://a.org/~b_c"),
        ("\\href{https://x.org}{the code}", "the code (https://x.org)"),
        ("\\b{eta}-VAE with \\r{ho} = 0.3", "β-VAE with ρ = 0.3"),
        ("line\n  wrapped\tand  spaced\r\n", "line wrapped and spaced"),
        ("R\\'enyi", "Rényi"),
    ],
)
def test_it_converts_latex_outside_math(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "math",
    [
        "$\\frac{a}{b} -- {c}$",
        "$$x^{2} \\'e$$",
        "\\(a~b\\)",
        "\\[ \\{x\\} \\]",
        "$a$$b$",
    ],
)
def test_it_keeps_math_exactly_as_written(math: str) -> None:
    assert clean_text(f"before {{X}} {math} after") == f"before X {math} after"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("   \n ", ""),
        ("costs $5 at most", "costs $5 at most"),  # an unbalanced dollar is text
        ("\\$5 and $x$", "$5 and $x$"),
        ("a lone \\ backslash", "a lone backslash"),
        ("ends with \\", "ends with \\"),
        ("line\\\\break", "line break"),
        ("{unbalanced", "unbalanced"),
        ("x \\( y", "x \\( y"),
    ],
)
def test_it_survives_odd_input(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_it_asks_pylatexenc_about_macros_the_tables_do_not_know() -> None:
    assert clean_text("a \\footnote{note \\'e} b") == "a [note é] b"
    assert clean_text("see \\cite{smith}") == "see <cit.>"


def test_it_keeps_a_macro_nobody_knows_with_its_arguments() -> None:
    assert clean_text("our \\method{} beats \\ourmodel{v2} easily") == (
        "our \\method{} beats \\ourmodel{v2} easily"
    )


def test_it_composes_accents_to_nfc() -> None:
    cleaned = clean_text("Bal\\'azs e\u0301")
    assert cleaned == "Balázs é"
    assert len(cleaned) == 8


def test_it_normalizes_whitespace() -> None:
    assert normalize_whitespace("  a\n  b\t\tc\u00a0d  ") == "a b c d"
    assert normalize_whitespace("plain text") == "plain text"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C. Bal\\'azs", "C. Balázs"),
        ("Mikkel {\\O}bro", "Mikkel Øbro"),
        ("A. Smith$^{1,2}$", "A. Smith"),
        ("B. Jones\\textsuperscript{*}", "B. Jones"),
        ("  Tom\\'a\\v{s}\n  Vina\\v{r}, ", "Tomáš Vinař"),
    ],
)
def test_it_cleans_author_names(raw: str, expected: str) -> None:
    assert clean_name(raw) == expected


def test_it_splits_authors_and_drops_affiliations(head: dict[str, dict[str, Any]]) -> None:
    assert split_authors(head["0704.0001"]["authors"]) == [
        "C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan",
    ]  # fmt: skip
    assert split_authors(head["0704.0025"]["authors"]) == ["A. S. Mishchenko", "N. Nagaosa"]
    assert split_authors(head["0704.0163"]["authors"]) == ["Peter Brommer", 'Franz G\\"ahler']
    assert split_authors(head["0704.0155"]["authors"]) == [
        "Floris van der Tak", "John Black", "Fredrik Schoeier", "David Jansen",
        "Ewine van Dishoeck",
    ]  # fmt: skip


def test_every_author_list_in_the_head_matches_the_snapshots_own_split(
    head: dict[str, dict[str, Any]],
) -> None:
    for record in head.values():
        names = [clean_name(name) for name in split_authors(record["authors"])]
        parsed = record["authors_parsed"]
        assert len(names) == len(parsed), record["id"]
        for name, (last, *_) in zip(names, parsed, strict=True):
            assert normalize_whitespace(last) in name, record["id"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A. B, C. D and E. F", ["A. B", "C. D", "E. F"]),
        ("A. B, C. D, and E. F", ["A. B", "C. D", "E. F"]),
        ("John Smith, Jr., Ann Lee", ["John Smith Jr.", "Ann Lee"]),
        ("A. B, C. D et al.", ["A. B", "C. D"]),
        ("NVIDIA, :, A. B and others", ["NVIDIA", "A. B"]),
        ("{Smith, Jones and Co.}, A. B", ["{Smith, Jones and Co.}", "A. B"]),
        ("A. B (1), C. D (1, 2) ((1) Univ. X, (2) Univ. Y", ["A. B", "C. D"]),
        ("", []),
    ],
)
def test_it_splits_author_lists(raw: str, expected: list[str]) -> None:
    assert split_authors(raw) == expected


def test_it_leaves_no_latex_outside_math_in_the_head_titles(
    head: dict[str, dict[str, Any]],
) -> None:
    math = re.compile(r"\$[^$]*\$")
    for record in head.values():
        outside = math.sub("", clean_text(record["title"]))
        assert not re.search(r"[\\{}]", outside), record["id"]
