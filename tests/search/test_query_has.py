"""has: in the query language: has:code, -has:code, and what it does with other values."""

from __future__ import annotations

import pytest

from paperfeed.search.query import ParsedQuery, query_parse


@pytest.mark.parametrize(
    ("query", "has", "lacks", "terms"),
    [
        ("has:code", ("code",), (), ()),
        ("diffusion HAS:Code", ("code",), (), ("diffusion",)),
        ('has:"code" (has:code)', ("code",), (), ()),
        ("-has:code graphs", (), ("code",), ("graphs",)),
        ("has:code, vision", ("code",), (), ("vision",)),
    ],
)
def test_it_reads_has_code_and_minus_has_code(
    query: str, has: tuple[str, ...], lacks: tuple[str, ...], terms: tuple[str, ...]
) -> None:
    parsed = query_parse(query)
    assert (parsed.has, parsed.lacks, parsed.terms) == (has, lacks, terms)
    assert parsed.notes == ()
    assert parsed.has_filters and not parsed.is_empty


def test_has_code_is_read_with_every_other_element() -> None:
    parsed = query_parse('"graph neural" has:code cat:cs.LG,stat.ML year:2024 -gan')
    assert parsed == ParsedQuery(
        raw='"graph neural" has:code cat:cs.LG,stat.ML year:2024 -gan',
        phrases=("graph neural",),
        excluded=("gan",),
        categories=("cs.LG", "stat.ML"),
        has=("code",),
        after=parsed.after,
        before=parsed.before,
    )
    assert parsed.after and parsed.after.year == parsed.before.year == 2024  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("query", "has", "in_note"),
    [
        ("has:pdf graphs", (), '"has:pdf": the only such filter is has:code'),
        ("has:code,pdf", ("code",), 'ignored "has:pdf"'),
        ("-has:data", (), 'ignored "-has:data"'),
        ("has: graphs", (), '"has:" with nothing after it'),
        ('has:"" graphs', (), '"has:" with nothing after it'),
    ],
)
def test_an_unknown_has_value_is_ignored_with_a_note(
    query: str, has: tuple[str, ...], in_note: str
) -> None:
    parsed = query_parse(query)
    assert parsed.has == has and parsed.lacks == ()
    assert any(in_note in note for note in parsed.notes), parsed.notes


def test_has_code_and_minus_has_code_together_get_a_note() -> None:
    parsed = query_parse("has:code -has:code")
    assert parsed.has == parsed.lacks == ("code",)
    assert parsed.notes == ('"has:code" and "-has:code" together: no paper can match',)


def test_a_form_asking_for_code_is_merged_into_the_typed_query() -> None:
    merged = query_parse("diffusion").with_filters(has=["code"])
    assert merged.has == ("code",) and merged.terms == ("diffusion",) and merged.notes == ()
    assert query_parse("has:code x").with_filters(has=["code"]).has == ("code",)
    lacking = query_parse("-has:code x").with_filters(has=["code"])
    assert lacking.has == lacking.lacks == ("code",) and "no paper can match" in lacking.notes[0]
    odd = query_parse("x").with_filters(has=["pdf"])
    assert odd.has == () and 'ignored "has:pdf"' in odd.notes[0]


def test_a_pasted_id_with_has_code_typed_beside_it_is_not_the_whole_query() -> None:
    assert query_parse("2401.12345 has:code").arxiv_id is None
    assert query_parse("2401.12345").with_filters(has=["code"]).arxiv_id == "2401.12345"
