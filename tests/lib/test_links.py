from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from paperfeed.lib.links import (
    KINDS,
    SOURCES,
    Link,
    links_find,
    primary_repository,
    url_normalise,
)

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "links" / "labelled-200.jsonl"
REPO = "https://github.com/owner/name"
HF = "https://huggingface.co"


def urls(abstract: str = "", comments: str = "", journal_ref: str = "") -> list[str]:
    found = links_find(abstract=abstract, comments=comments, journal_ref=journal_ref)
    return [link.url for link in found]


def primary(abstract: str = "", comments: str = "") -> str | None:
    link = primary_repository(links_find(abstract=abstract, comments=comments))
    return link.url if link else None


# Broken and decorated URLs ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Code is available at https://github.com/owner/name",
        "Code is available at https://github. com/owner/name",  # a space after the dot
        "Code is available at https://github.\ncom/owner/name.",  # wrapped inside the host
        "Code is available at github.com/owner/name.",  # no scheme
        "Code is available at https: //github.com/owner/name.",
        "in the following repository:https:\n  //github.com/owner/name",
        "Code is available at https:// github.com/owner/name",
        "Code is available at https://github.com/\nowner/name.",
        "Code is available at https://github.com/ owner/name.",
        "Code is available at https://github.com/owner/ name.",
        "Code is available at https://github.com/owner/\nname",
        "Code is available at https://github.com/owner/name.",
        "Code is available at https://github.com/owner/name,",
        "Code is available at https://github.com/owner/name;",
        "Code is available at https://github.com/owner/name:",
        "Code is available (https://github.com/owner/name).",
        "Code is available [https://github.com/owner/name].",
        "Code is available at https://github.com/owner/name}.",
        "Code is available at \\url{https://github.com/owner/name}",
        "Code is available at \\href{https://github.com/owner/name}{here}.",
        "Code: $\\href{https://github.com/owner/name}{https://github.com/owner/name}$.",
        "Code is available.\\footnote{https://github.com/owner/name}",
        "Code: \\textcolor{red}{https://github.com/owner/name.git}.",
        "Code is available at https://github.com/owner/name.git",
        "Code is available at https://github.com/owner/name.git.",
        "Code is available at https://github.com/owner/name/",
        "Code is available at https://github.com/owner/name/tree/main/sub/dir.",
        "Code is available at https://github.com/owner/name/blob/main/README.md",
        "See https://github.com/owner/name/issues for the code.",
        "Code is available at https://github.com/owner/name/releases.",
        "Code is available at https://www.github.com/owner/name.",
        "Code is available at http://github.com/owner/name.",
        "Code is available at HTTPS://GitHub.COM/owner/name.",
        "Code: https://github.com/owner/name#readme",
        'our public repository: <a href="https://github.com/owner/name" rel="nofollow">',
        "Code is available at [https://github.com/owner/name](https://github.com/owner/name)",
    ],
)
def test_it_finds_the_repository_in_broken_and_decorated_forms(text: str) -> None:
    assert urls(text) == [REPO]
    assert primary(text) == REPO


def test_it_rejoins_a_url_split_after_a_hyphen_by_a_line_break_or_a_space() -> None:
    assert urls("Code: https://github.com/owner/KD-\nOCT.") == ["https://github.com/owner/KD-OCT"]
    assert urls("Code: https://github.com/owner/KD- OCT.") == ["https://github.com/owner/KD-OCT"]
    assert urls("Page: https://4d-\nvisual.github.io/.") == ["https://4d-visual.github.io"]


def test_it_rejoins_a_url_split_after_an_underscore() -> None:
    assert urls("Code: https://github.com/owner/dyn_ ETF2.") == [
        "https://github.com/owner/dyn_ETF2"
    ]


def test_it_rejoins_a_host_split_over_a_line() -> None:
    assert urls("Project page : https://www.idiap.\nch/paper/edgedoc/") == [
        "https://www.idiap.ch/paper/edgedoc"
    ]


def test_it_does_not_join_the_next_word_to_an_unfinished_url() -> None:
    # The repository was never named: "github.com/owner/" then the sentence goes on.
    found = links_find(abstract="Our code will be available at https://github.com/owner/\nsoon.")
    assert [(link.kind, link.url) for link in found] == [("project", "https://github.com/owner")]
    assert links_find(abstract="Code will be at https://github.com/\n--.") == []
    assert urls("The code is at https://example.org/ and on request.") == ["https://example.org"]


def test_it_reads_latex_escapes_in_urls() -> None:
    assert urls("Code: https://github.com/owner/SSL\\_Seg\\_Net.") == [
        "https://github.com/owner/SSL_Seg_Net"
    ]
    assert urls("Page: https://www.cs.x.edu/\\~{}user/proj") == ["https://www.cs.x.edu/~user/proj"]


def test_it_decodes_a_percent_encoded_tilde() -> None:
    assert urls("Page: https://www.cs.x.edu/%7Euser/proj/.") == ["https://www.cs.x.edu/~user/proj"]


def test_it_reads_a_url_glued_to_a_latex_command() -> None:
    assert urls("Results. \\noindenthttps://example.org/p") == ["https://example.org/p"]


def test_it_skips_a_url_in_a_latex_comment() -> None:
    assert urls("Code at https://github.com/a/b. %https://github.com/a/bOur") == [
        "https://github.com/a/b"
    ]


# Kinds --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://github.com/owner/name", ("code", REPO, "owner/name")),
        ("https://github.com/openai", ("project", "https://github.com/openai", "")),
        ("https://github.com/topics/llm", ("project", "https://github.com/topics/llm", "")),
        ("https://github.com", None),
        ("https://gist.github.com/u/abc123", ("project", "https://gist.github.com/u/abc123", "")),
        ("https://gitlab.com/g/p", ("code", "https://gitlab.com/g/p", "g/p")),
        ("https://gitlab.com/g/s/p/-/tree/main", ("code", "https://gitlab.com/g/s/p", "g/s/p")),
        ("https://gitlab.kit.edu/kit/p.git", ("code", "https://gitlab.kit.edu/kit/p", "kit/p")),
        ("https://bitbucket.org/o/n/src/master", ("code", "https://bitbucket.org/o/n", "o/n")),
        ("https://codeberg.org/o/n", ("code", "https://codeberg.org/o/n", "o/n")),
        ("https://user.github.io/proj/", ("project", "https://user.github.io/proj", "")),
        ("https://group.gitlab.io/p", ("project", "https://group.gitlab.io/p", "")),
        (f"{HF}/spaces/o/n", ("demo", f"{HF}/spaces/o/n", "o/n")),
        (f"{HF}/datasets/o/n/viewer", ("dataset", f"{HF}/datasets/o/n", "o/n")),
        (f"{HF}/o/n/tree/main", ("model", f"{HF}/o/n", "o/n")),
        ("https://hf.co/o/n", ("model", f"{HF}/o/n", "o/n")),
        (f"{HF}/papers/2501.00001", ("project", f"{HF}/papers/2501.00001", "")),
        (f"{HF}/docs/transformers", ("project", f"{HF}/docs/transformers", "")),
        (f"{HF}/blog/post", ("project", f"{HF}/blog/post", "")),
        (f"{HF}/collections/o/c-1", ("project", f"{HF}/collections/o/c-1", "")),
        (f"{HF}/org", ("project", f"{HF}/org", "")),
        ("https://doi.org/10.5281/zenodo.1", ("doi", "https://doi.org/10.5281/zenodo.1", "")),
        ("http://dx.doi.org/10.1145/1.2", ("doi", "https://doi.org/10.1145/1.2", "")),
        ("https://arxiv.org/abs/2501.00001", None),
        ("https://www.example.com/a/b?x=1#top", ("project", "https://www.example.com/a/b?x=1", "")),
        ("https://emu.world", ("project", "https://emu.world", "")),
        ("https://--/x", None),
    ],
)  # fmt: skip
def test_it_sorts_urls_into_kinds(raw: str, expected: tuple[str, str, str] | None) -> None:
    assert url_normalise(raw) == expected


def test_it_finds_dois_in_their_three_forms() -> None:
    text = "See doi:10.1000/abc, https://doi.org/10.1000/def and dx.doi.org/10.1000/ghi."
    assert urls(text) == [
        "https://doi.org/10.1000/abc",
        "https://doi.org/10.1000/def",
        "https://doi.org/10.1000/ghi",
    ]


def test_it_finds_scheme_less_hugging_face_and_pages_links() -> None:
    found = links_find(abstract="Data: huggingface.co/datasets/o/d; page: lab.github.io/p.")
    assert [(link.kind, link.url, link.repo) for link in found] == [
        ("dataset", "https://huggingface.co/datasets/o/d", "o/d"),
        ("project", "https://lab.github.io/p", ""),
    ]


def test_it_ignores_links_to_other_arxiv_papers_and_words_that_look_like_hosts() -> None:
    assert urls("As in https://arxiv.org/abs/2401.00001, e.g. Fig.1 and doing so.") == []


# Deduplication and sources ------------------------------------------------------------------------
def test_it_keeps_one_link_per_url_from_the_first_field() -> None:
    found = links_find(
        abstract="Code: https://github.com/owner/name.",
        comments="CVPR. Code at https://github.com/owner/name.git; page https://p.github.io/",
        journal_ref="See https://p.github.io/ and https://doi.org/10.1/x",
    )
    assert [(link.url, link.source) for link in found] == [
        (REPO, "abstract"),
        ("https://p.github.io", "comments"),
        ("https://doi.org/10.1/x", "journal_ref"),
    ]
    assert all(link.kind in KINDS and link.source in SOURCES for link in found)


def test_it_keeps_links_in_order_of_appearance() -> None:
    text = "Models: https://huggingface.co/o/m. Code: https://github.com/o/c. Page: https://o.github.io"
    assert [link.kind for link in links_find(abstract=text)] == ["model", "code", "project"]


def test_it_treats_repository_urls_that_differ_only_in_case_as_one() -> None:
    assert urls("Code: https://github.com/Owner/Name and github.com/owner/name/tree/x") == [
        "https://github.com/Owner/Name"
    ]


def test_it_finds_nothing_in_empty_or_link_free_fields() -> None:
    assert links_find() == []
    assert links_find(abstract="We study graphs, e.g. trees.", comments="12 pages") == []


# The primary repository ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "abstract",
    [
        "Our code is available at https://github.com/owner/name.",
        "We release the dataset and models at https://github.com/owner/name.",
        "The project is open-source: https://github.com/owner/name",
        "Project page: https://github.com/owner/name",
        "We use public data, and release our model at https://github.com/owner/name.",
        "Results are strong. https://github.com/owner/name",  # alone at the end of the abstract
        "The method is fast.\\footnote{https://github.com/owner/name}",
        "Our method is fast \\href{https://github.com/owner/name}{(code)}.",
    ],
)
def test_it_marks_the_papers_own_repository(abstract: str) -> None:
    assert primary(abstract) == REPO


@pytest.mark.parametrize(
    "comments",
    [
        "CVPR 2025. Code: https://github.com/owner/name",
        "12 pages. Project page: https://github.com/owner/name",
        "https://github.com/owner/name",
    ],
)
def test_it_counts_links_in_the_comments(comments: str) -> None:
    assert primary(comments=comments) == REPO


@pytest.mark.parametrize(
    "abstract",
    [
        "Our method is built on MMDetection (https://github.com/open-mmlab/mmdetection).",
        "We use the toolkit from https://github.com/other/tool to train.",
        "Our implementation is based on https://github.com/other/tool.",
        "We follow https://github.com/other/tool for the splits.",
        "It is adapted from https://github.com/other/tool and runs fast.",
        "We compare with strong baselines such as https://github.com/other/tool in all settings.",
        "We evaluate on Bench (https://github.com/other/bench) and report accuracy.",
        "Code provided by the open-source community: https://github.com/other/tool.",
        "We sent a pull request: https://github.com/other/tool/pull/17.",
        "We compare A (https://github.com/other/a) and B (https://github.com/other/b) below.",
        "We build on LLaVA \\href{https://github.com/other/llava}{(link)} for the encoder.",
        "We use \\href{https://github.com/other/t}{https://github.com/other/t} to train.",
        "Strong tools (e.g. https://github.com/other/tool) fail here.",
        "Code will be available at https://github.com/owner.",  # no repository named
        "Code is at https://anonymous.4open.science/r/name-1234.",  # not a code host
        "Our project page is https://owner.github.io/name.",
    ],
)
def test_it_does_not_mark_someone_elses_repository_or_a_non_repository(abstract: str) -> None:
    assert primary(abstract) is None


def test_it_prefers_the_repository_worded_as_code_then_the_first() -> None:
    text = "The data is at https://github.com/o/data and our code at https://github.com/o/code."
    assert primary(text) == "https://github.com/o/code"
    text = "Code and models are at https://github.com/o/first and https://github.com/o/second."
    assert primary(text) == "https://github.com/o/first"


def test_it_takes_the_own_repository_after_a_third_party_one() -> None:
    text = (
        "We build on https://github.com/other/base. "
        "Our code is available at https://github.com/owner/name."
    )
    assert primary(text) == REPO
    text = "Our implementation in X is a PR: https://github.com/x/x/pull/1. Code: " + REPO
    assert primary(text) == REPO


def test_it_judges_a_repository_by_all_the_places_it_appears() -> None:
    abstract = "Implemented using the PaddlePaddle framework at https://github.com/o/n/tree/dev/x."
    assert primary(abstract, comments="Codes: https://github.com/o/n/tree/dev/x") == (
        "https://github.com/o/n"
    )


def test_it_marks_at_most_one_link() -> None:
    found = links_find(
        abstract="Code: https://github.com/a/b and https://github.com/a/c.",
        comments="Code: https://github.com/a/d",
    )
    assert [link.primary for link in found] == [True, False, False]
    assert primary_repository(found) == found[0]
    assert primary_repository([Link(kind="code", url=REPO, source="abstract")]) is None


# The labelled set -------------------------------------------------------------------------------
def labelled() -> list[dict[str, str | None]]:
    with open(LABELLED, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_the_labelled_set_is_as_its_readme_says() -> None:
    rows = labelled()
    assert len(rows) == 200 and len({row["id"] for row in rows}) == 200
    urlish = re.compile(r"(?i)github|gitlab|http|www|\.io\b|huggingface|bitbucket|codeberg")
    with_urls = [r for r in rows if urlish.search(f"{r['abstract']}\n{r['comments']}")]
    assert len(with_urls) == 140
    for row in rows:
        if row["own_repo"] is not None:
            kind_url_repo = url_normalise(row["own_repo"])
            assert kind_url_repo is not None and kind_url_repo[:2] == ("code", row["own_repo"])


def test_it_finds_the_labelled_own_repositories() -> None:
    tp = fp = fn = 0
    misses = []
    for row in labelled():
        found = links_find(
            abstract=row["abstract"] or "",
            comments=row["comments"] or "",
            journal_ref=row["journal_ref"] or "",
        )
        assert sum(link.primary for link in found) <= 1
        predicted = primary_repository(found)
        guess = predicted.url if predicted else None
        if guess is not None and guess == row["own_repo"]:
            tp += 1
            continue
        fp += guess is not None
        fn += row["own_repo"] is not None
        if guess is not None or row["own_repo"] is not None:
            misses.append((row["id"], guess, row["own_repo"]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    assert precision >= 0.98, misses
    assert recall >= 0.95, misses


def test_the_quick_hint_check_agrees_with_the_hint_list() -> None:
    from paperfeed.lib.links import _HINTS, _hinted

    for hint in _HINTS:
        assert _hinted(f"see {hint} here"), hint
    assert not _hinted("no link in this abstract at all")


@pytest.mark.parametrize(
    "text",
    [
        "Our CODE: HTTPS://GitHub.com/Owner/Name and https://x.org/y",  # any case
        "Demo at my-long_lab-name123.github.io/project, code at github.com/owner/name",
        "with a dotless ı before: github.com/owner/name",  # matches "i" only under IGNORECASE
        "with İ, whose lower case is two characters: github.com/owner/name",
        "See doi: 10.1000/xyz, DX.DOI.org/10.1/2, hf.co/x/y and www.example.org.",
        "no link here",
    ],
)
def test_skipping_to_the_first_possible_url_finds_what_a_full_search_finds(text: str) -> None:
    from paperfeed.lib.links import _START, _first_start, _lowered

    lowered = _lowered(text)
    for pos in range(len(text) + 1):
        quick, full = _first_start(text, lowered, pos), _START.search(text, pos)
        assert (quick and quick.span()) == (full and full.span()), pos
