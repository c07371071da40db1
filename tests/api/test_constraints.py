"""The schema's patterns say what the server reads: checked against the parsers they describe."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from paperfeed.api.constraints import (
    ARXIV_ID_PATTERN,
    DAY_PATTERN,
    ISO_DATE_PATTERN,
    MONTH_PATTERN,
    NOT_BLANK_PATTERN,
    WEEK_PATTERN,
    WHITESPACE,
    MonthParam,
)
from paperfeed.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperfeed.lib.periods import MAX_YEAR, MIN_YEAR

ARXIV_FORMS = [
    "2401.12345", "arXiv:2401.12345v2", "  ARXIV:2401.12345 ", "https://arxiv.org/abs/2401.12345",
    "http://arxiv.org/abs/2401.12345v10", "https://arxiv.org/pdf/2401.12345v3.pdf",
    "arxiv.org/html/2401.12345v1", "https://export.arxiv.org/abs/0704.0001",
    "https://arxiv.org/abs/2401.12345?context=cs", "0704.0001v2", "hep-th/9901001",
    "hep-th/9901001v3", "math.GT/0309136", "https://arxiv.org/abs/math.GT/0309136v2",
    "https://arxiv.org/pdf/astro-ph/0601001v1.pdf", "oai:arXiv.org:cond-mat/0102536",
    "https://huggingface.co/papers/2410.17243", "10.48550/arXiv.2401.12345",
    "https://doi.org/10.48550/arXiv.2401.12345", "HTTPS://ALPHAXIV.ORG/OVERVIEW/2401.12345",
    "2401.12345/", "2401.12345#section\t",
    # refused
    "", "abc", "2401.123", "2401.123456", "2413.12345", "2400.12345", "1401.12345", "1501.1234",
    "hep-th/990100", "https://example.org/abs/2401.12345", "2401.12345v0", "2401.12345 extra",
    "2401.12345\n", "2401.12345?a\nb",
]  # fmt: skip


def lib_reads(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return True


@pytest.mark.parametrize("text", ARXIV_FORMS)
def test_the_arxiv_id_pattern_reads_what_the_parser_reads(text: str) -> None:
    assert bool(re.fullmatch(ARXIV_ID_PATTERN, text)) == lib_reads(text)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.from_regex(ARXIV_ID_PATTERN, fullmatch=True))
def test_every_id_the_pattern_admits_is_read(text: str) -> None:
    assert lib_reads(text), text


def test_period_patterns_take_the_years_that_periods_take() -> None:
    for year in range(10_000):
        in_range = MIN_YEAR <= year <= MAX_YEAR
        assert bool(re.fullmatch(DAY_PATTERN, f"{year:04d}-03-14")) == in_range, year
        assert bool(re.fullmatch(WEEK_PATTERN, f"{year:04d}-W11")) == in_range, year
        assert bool(re.fullmatch(MONTH_PATTERN, f"{year:04d}-03")) == in_range, year
        assert bool(re.fullmatch(ISO_DATE_PATTERN, f"{year:04d}-03-14")) == (year >= 1), year
    assert re.fullmatch(WEEK_PATTERN, "2026-w53") and not re.fullmatch(WEEK_PATTERN, "2026-W54")


def test_whitespace_is_what_python_strips() -> None:
    spelled = re.compile(f"[{WHITESPACE}]")
    for char in map(chr, range(0x3001)):  # the last whitespace character is U+3000
        assert bool(spelled.fullmatch(char)) == char.isspace(), hex(ord(char))
    assert not re.search(NOT_BLANK_PATTERN, " \u2003\x1f") and re.search(NOT_BLANK_PATTERN, " a")
    assert not re.search(NOT_BLANK_PATTERN, "a\x00b")  # no NUL: PostgreSQL cannot store it


def test_a_checked_string_says_what_to_send() -> None:
    month = TypeAdapter(MonthParam)
    assert month.validate_python("2026-03") == "2026-03"
    for bad in ("2026-3", "2026-03\n", "2026-033", "١٩٩١-03"):
        with pytest.raises(ValidationError, match="use a month, YYYY-MM"):
            month.validate_python(bad)
    assert month.json_schema()["maxLength"] == 7
