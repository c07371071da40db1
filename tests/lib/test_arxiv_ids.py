from __future__ import annotations

import pytest

from paperfeed.lib.arxiv_ids import ArxivId, InvalidArxivId, normalize_arxiv_id, parse_arxiv_id
from paperfeed.lib.names import author_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.12345", ArxivId("2401.12345")),
        ("arXiv:2401.12345v2", ArxivId("2401.12345", 2)),
        ("  ARXIV:2401.12345 ", ArxivId("2401.12345")),
        ("https://arxiv.org/abs/2401.12345", ArxivId("2401.12345")),
        ("http://arxiv.org/abs/2401.12345v10", ArxivId("2401.12345", 10)),
        ("https://arxiv.org/pdf/2401.12345v3.pdf", ArxivId("2401.12345", 3)),
        ("https://arxiv.org/pdf/2401.12345", ArxivId("2401.12345")),
        ("arxiv.org/html/2401.12345v1", ArxivId("2401.12345", 1)),
        ("https://export.arxiv.org/abs/0704.0001", ArxivId("0704.0001")),
        ("https://arxiv.org/abs/2401.12345?context=cs", ArxivId("2401.12345")),
        ("0704.0001v2", ArxivId("0704.0001", 2)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v3", ArxivId("hep-th/9901001", 3)),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("https://arxiv.org/abs/math.GT/0309136v2", ArxivId("math/0309136", 2)),
        ("https://arxiv.org/pdf/astro-ph/0601001v1.pdf", ArxivId("astro-ph/0601001", 1)),
        ("oai:arXiv.org:cond-mat/0102536", ArxivId("cond-mat/0102536")),
        ("https://huggingface.co/papers/2410.17243", ArxivId("2410.17243")),
        ("10.48550/arXiv.2401.12345", ArxivId("2401.12345")),
        ("https://doi.org/10.48550/arXiv.2401.12345", ArxivId("2401.12345")),
    ],
)
def test_it_normalises_every_form_people_paste(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "abc", "2401.123", "2401.123456", "2413.12345", "2400.12345",
        "1401.12345",  # five digits before 2015
        "1501.1234",  # four digits from 2015 on
        "hep-th/990100", "https://example.org/abs/2401.12345", "2401.12345v0", "2401.12345 extra",
    ],
)  # fmt: skip
def test_it_rejects_anything_else_with_a_clear_message(text: str) -> None:
    with pytest.raises(InvalidArxivId) as err:
        parse_arxiv_id(text)
    assert "is not an arXiv id" in str(err.value)
    assert "2401.12345" in str(err.value)  # the message shows a valid example


def test_versioned_form_and_old_style_flag() -> None:
    assert parse_arxiv_id("2401.12345v2").versioned == "2401.12345v2"
    assert parse_arxiv_id("hep-th/9901001").is_old_style
    assert normalize_arxiv_id("arXiv:hep-th/9901001v1") == "hep-th/9901001"


def test_author_keys_fold_case_accents_and_punctuation() -> None:
    assert author_key("C. Balázs") == author_key("c balazs") == "c balazs"
    assert author_key("Jean-Pierre Serre") == "jean pierre serre"
    assert author_key("Yann LeCun") != author_key("Yann Le Cun")
