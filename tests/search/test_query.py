from __future__ import annotations

from datetime import date

import pytest

from paperfeed.search.query import (
    MAX_ITEMS,
    MAX_QUERY_CHARS,
    MAX_WORD_CHARS,
    ParsedQuery,
    category_canonical,
    query_parse,
)


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("Graph Neural networks", ("Graph", "Neural", "networks")),
        ("vision AND language OR NOT speech", ("vision", "AND", "language", "OR", "NOT", "speech")),
        ("state-of-the-art - retrieval", ("state-of-the-art", "retrieval")),
        ("Graph graph GRAPH nets", ("Graph", "nets")),
        ("graph\x00neural\tnet", ("graph", "neural", "net")),
        ("cafe\u0301 日本語", ("café", "日本語")),
        ("🚀 launch", ("🚀", "launch")),
    ],
)
def test_it_keeps_plain_words_as_typed(query: str, terms: tuple[str, ...]) -> None:
    parsed = query_parse(query)
    assert parsed.terms == terms
    assert parsed.excluded == parsed.phrases == parsed.notes == ()
    assert parsed.text == " ".join(terms)


@pytest.mark.parametrize("query", ['"diffusion   models" sampling', "“diffusion models” sampling"])
def test_it_keeps_a_quoted_phrase_whole(query: str) -> None:
    parsed = query_parse(query)
    assert parsed.phrases == ("diffusion models",)
    assert parsed.terms == ("sampling",)
    assert parsed.text == "sampling diffusion models"


@pytest.mark.parametrize(
    ("query", "excluded"),
    [
        ("-gan", ("gan",)),
        ('-"generative adversarial"', ("generative adversarial",)),
        ("--gan", ("gan",)),
        ('-gan -"style transfer" -(vae)', ("gan", "style transfer", "vae")),
    ],
)
def test_it_excludes_words_and_phrases_after_a_minus(query: str, excluded: tuple[str, ...]) -> None:
    parsed = query_parse(query)
    assert parsed.excluded == excluded
    assert parsed.terms == parsed.phrases == ()
    assert not parsed.is_empty


@pytest.mark.parametrize(
    ("query", "authors"),
    [
        ('author:"Yann LeCun"', ("Yann LeCun",)),
        ("author:lecun", ("lecun",)),
        ("AU:Bengio", ("Bengio",)),
        ('author:"Yann  LeCun" author:"yann lecun" author:bengio,', ("Yann LeCun", "bengio")),
        ('author:"Balázs Szegedy"', ("Balázs Szegedy",)),
    ],
)
def test_it_reads_author_filters_as_typed(query: str, authors: tuple[str, ...]) -> None:
    parsed = query_parse(query)
    assert parsed.authors == authors
    assert parsed.terms == parsed.phrases == ()
    assert parsed.has_filters


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("cs.lg", "cs.LG"),
        ("CS.LG", "cs.LG"),
        ("math.ag", "math.AG"),
        ("stat.ml", "stat.ML"),
        ("eess.sp", "eess.SP"),
        ("econ.em", "econ.EM"),
        ("q-bio.nc", "q-bio.NC"),
        ("Q-FIN.st", "q-fin.ST"),
        ("nlin.ao", "nlin.AO"),
        ("astro-ph.co", "astro-ph.CO"),
        ("hep-th", "hep-th"),
        ("HEP-TH", "hep-th"),
        ("quant-ph", "quant-ph"),
        ("cond-mat.stat-mech", "cond-mat.stat-mech"),
        ("Cond-Mat.Mes-Hall", "cond-mat.mes-hall"),
        ("physics.Optics", "physics.optics"),
        ("cs", "cs"),
        ("cs.*", "cs"),
        ("cs.", "cs"),
        ("astro-ph", "astro-ph"),
        (" cs.LG ", "cs.LG"),
    ],
)
def test_it_spells_categories_the_way_arxiv_does(value: str, canonical: str) -> None:
    assert category_canonical(value) == canonical


@pytest.mark.parametrize(
    "value",
    ["", "foo", "foo.bar", "cs.machine", "cs.L", "hep-th.xx", "physics.x y", "c s", "cs.LG;", "🚀"],
)
def test_it_rejects_what_is_not_a_category(value: str) -> None:
    assert category_canonical(value) is None


def test_it_reads_category_filters_with_either_field_name() -> None:
    parsed = query_parse("cat:cs.lg category:stat.ml,math.ST cat:CS.LG cat:cs")
    assert parsed.categories == ("cs.LG", "stat.ML", "math.ST", "cs")
    assert parsed.terms == ()


@pytest.mark.parametrize(
    ("query", "after", "before"),
    [
        ("year:2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("year:2020-2023", date(2020, 1, 1), date(2023, 12, 31)),
        ("year:2020..2023", date(2020, 1, 1), date(2023, 12, 31)),
        ("after:2025-01-01", date(2025, 1, 1), None),
        ("after:2025-03", date(2025, 3, 1), None),
        ("after:2025", date(2025, 1, 1), None),
        ("before:2025-06-30", None, date(2025, 6, 30)),
        ("before:2025-03", None, date(2025, 3, 31)),
        ("before:2024-02", None, date(2024, 2, 29)),
        ("before:2024", None, date(2024, 12, 31)),
        ("after:2024-01-01 before:2025-06-30", date(2024, 1, 1), date(2025, 6, 30)),
    ],
)
def test_it_reads_dates_as_inclusive_bounds(
    query: str, after: date | None, before: date | None
) -> None:
    parsed = query_parse(query)
    assert (parsed.after, parsed.before) == (after, before)
    assert parsed.terms == ()
    assert parsed.notes == ()


def test_it_keeps_the_tighter_bound_when_a_date_is_given_twice() -> None:
    parsed = query_parse("after:2024 after:2025-02 before:2025-12 before:2025-06-30")
    assert (parsed.after, parsed.before) == (date(2025, 2, 1), date(2025, 6, 30))
    assert parsed.notes == ()


def test_it_keeps_crossed_dates_but_says_nothing_can_match() -> None:
    parsed = query_parse("after:2025-06 before:2025-01")
    assert (parsed.after, parsed.before) == (date(2025, 6, 1), date(2025, 1, 31))
    assert len(parsed.notes) == 1
    assert "no paper can match" in parsed.notes[0]


@pytest.mark.parametrize(
    "query",
    [
        "2401.12345",
        "arXiv:2401.12345v2",
        "ARXIV:2401.12345",
        "https://arxiv.org/abs/2401.12345",
        "https://arxiv.org/abs/2401.12345v3",
        "https://arxiv.org/pdf/2401.12345v3.pdf",
        "https://arxiv.org/html/2401.12345v1",
        "arxiv.org/abs/2401.12345?context=cs",
        "  <https://arxiv.org/abs/2401.12345>  ",
        '"2401.12345"',
        "(2401.12345),",
    ],
)
def test_a_query_that_is_one_id_names_that_paper(query: str) -> None:
    parsed = query_parse(query)
    assert parsed.arxiv_id == "2401.12345"
    assert parsed.arxiv_ids == ("2401.12345",)
    assert parsed.terms == parsed.phrases == ()
    assert not parsed.is_empty


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("math.GT/0309136", "math/0309136"),
        ("https://arxiv.org/abs/cond-mat/0102536v1", "cond-mat/0102536"),
        ("0704.0001", "0704.0001"),
    ],
)
def test_it_reads_old_style_and_early_ids(query: str, canonical: str) -> None:
    assert query_parse(query).arxiv_id == canonical


def test_an_id_among_words_is_recorded_and_kept_out_of_the_words() -> None:
    parsed = query_parse("see arXiv:2401.12345 and https://arxiv.org/abs/2310.06825 for scaling")
    assert parsed.arxiv_ids == ("2401.12345", "2310.06825")
    assert parsed.arxiv_id is None
    assert parsed.terms == ("see", "and", "for", "scaling")


def test_an_id_with_filters_typed_beside_it_is_not_the_whole_query() -> None:
    parsed = query_parse("2401.12345 cat:cs.LG")
    assert parsed.arxiv_id is None
    assert parsed.arxiv_ids == ("2401.12345",)


@pytest.mark.parametrize("query", ["2413.12345", "1501.1234", "12345", "2401.123456"])
def test_numbers_that_are_not_ids_stay_words(query: str) -> None:
    parsed = query_parse(query)
    assert parsed.arxiv_ids == ()
    assert parsed.terms == (query,)


def test_it_reads_every_element_together() -> None:
    parsed = query_parse(
        '"diffusion models" -gan author:"Yann LeCun" cat:cs.lg year:2024 transformers'
    )
    assert parsed == ParsedQuery(
        raw='"diffusion models" -gan author:"Yann LeCun" cat:cs.lg year:2024 transformers',
        terms=("transformers",),
        phrases=("diffusion models",),
        excluded=("gan",),
        authors=("Yann LeCun",),
        categories=("cs.LG",),
        after=date(2024, 1, 1),
        before=date(2024, 12, 31),
    )
    assert parsed.text == "transformers diffusion models"
    assert parsed.has_filters


@pytest.mark.parametrize(
    ("query", "terms", "in_note"),
    [
        ('"diffusion models', ("diffusion", "models"), "unmatched quote"),
        ('"a b" "c d', ("c", "d"), "unmatched quote"),
        ('author:"Yann LeCun', ("Yann", "LeCun"), "unmatched quote"),
        ("author: lecun", ("lecun",), '"author:" with nothing after it'),
        ('author:"" lecun', ("lecun",), '"author:" with nothing after it'),
        ("author:", (), '"author:" with nothing after it'),
        ('author:"***"', (), "no letters or digits"),
        ("after:2025-13-45 rl", ("rl",), '"after:2025-13-45": not a date'),
        ("before:yesterday", (), '"before:yesterday": not a date'),
        ("after:0000", (), "not a date"),
        ("year:twenty", (), '"year:twenty": not a year'),
        ("year:2024-25", (), "not a year"),
        ("cat:foo.bar vision", ("vision",), '"cat:foo.bar": not an arXiv category'),
        ("foo:bar", ("foo:bar",), "no foo: filter"),
        ("title:attention", ("title:attention",), "no title: filter"),
        ('title:"attention is"', ("title",), "no title: filter"),
        ("-cat:cs.LG graphs", ("graphs",), "cannot be excluded"),
        ('-author:"Yann LeCun"', (), "cannot be excluded"),
    ],
)
def test_what_it_cannot_read_falls_back_with_a_note(
    query: str, terms: tuple[str, ...], in_note: str
) -> None:
    parsed = query_parse(query)
    assert parsed.terms == terms
    assert parsed.authors == parsed.categories == ()
    assert parsed.after is None and parsed.before is None
    assert any(in_note in note for note in parsed.notes), parsed.notes


def test_a_note_shows_a_long_bad_value_shortened() -> None:
    (note,) = query_parse("cat:" + "x" * 500).notes
    assert len(note) < 100


def test_a_label_or_link_with_a_colon_is_just_a_word() -> None:
    parsed = query_parse("Note: see https://example.org/page 10:30")
    assert parsed.terms == ("Note", "see", "https://example.org/page", "10:30")
    assert parsed.notes == ()


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("(transformers), attention.", ("transformers", "attention")),
        ("'quoted' [brackets] {braces} <angle>", ("quoted", "brackets", "braces", "angle")),
        ("C++ C# F# .NET", ("C++", "C#", "F#", "NET")),
        ("don't x^2 U.S.", ("don't", "x^2", "U.S")),
        ("* ; -- ( ) : ^ ~ \\ ' ", ()),
    ],
)
def test_it_strips_punctuation_around_words(query: str, terms: tuple[str, ...]) -> None:
    assert query_parse(query).terms == terms


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE papers; --",
        "title:* OR 1=1 --",
        'a AND (b OR NOT c) NEAR/3 d* "e ^ f"~2 \\"',
        "x' UNION SELECT password FROM auth_user --",
        "MATCH papers_fts 'a' NEAR(b c, 5) {col}: -x* ^y",
        "%_% \\% [a-z] $1 ${x} `ls` |cat /etc/passwd",
    ],
)
def test_sql_and_fts_syntax_is_only_text(query: str) -> None:
    parsed = query_parse(query)
    assert parsed.raw == query
    for value in (*parsed.terms, *parsed.phrases, *parsed.excluded):
        assert value and value == value.strip()
    assert not parsed.has_filters


@pytest.mark.parametrize(
    "query",
    [
        "\x00",
        "gra\x00ph\x01 networks\x7f",
        "caf\u0065\u0301 naïve 日本語 Ελληνικά",
        "🚀 rocket 👩‍🔬 science 🇫🇷",
        "\ud800 lone surrogate \udfff",
        "\u200bzero\ufeffwidth",
        "\t\n\r\x0b\x0c",
        "ｃａｔ：ｃｓ.ＬＧ",
        "\u202eright to left",
    ],
)
def test_unicode_and_control_characters_never_raise(query: str) -> None:
    parsed = query_parse(query)
    for value in (*parsed.terms, *parsed.phrases, *parsed.excluded):
        value.encode("utf-8")  # lone surrogates would make engines fail here
        assert "\x00" not in value and "\x7f" not in value


@pytest.mark.parametrize(
    "query",
    [
        "a" * 10_000,
        "word " * 2_000,
        '"' * 10_000,
        "-" * 10_000,
        "author:" * 1_500,
        ('"x' + " y" * 5_000),
        "cat:cs.LG " * 1_000,
        "\x00" * 10_000,
    ],
)
def test_a_huge_query_never_raises_and_stays_within_the_caps(query: str) -> None:
    parsed = query_parse(query)
    kept = (*parsed.terms, *parsed.phrases, *parsed.excluded, *parsed.authors, *parsed.categories)
    assert len(kept) <= MAX_ITEMS
    assert all(len(term) <= MAX_WORD_CHARS for term in parsed.terms)
    assert len(parsed.notes) <= 9
    assert parsed.raw == query


def test_it_says_when_it_read_only_the_start_of_a_long_query() -> None:
    parsed = query_parse("transformer " * 500)
    assert parsed.terms == ("transformer",)
    assert any(f"{MAX_QUERY_CHARS:,} characters" in note for note in parsed.notes)


def test_it_does_not_cut_the_last_word_in_half() -> None:
    query = "a " * 999 + "longword"  # the 2,000-character cut falls inside longword
    parsed = query_parse(query)
    assert parsed.terms == ("a",)


def test_it_keeps_at_most_64_words_and_says_so() -> None:
    parsed = query_parse(" ".join(f"w{n}" for n in range(100)))
    assert parsed.terms == tuple(f"w{n}" for n in range(MAX_ITEMS))
    assert any("ignored 36 more" in note for note in parsed.notes)


def test_it_shortens_a_very_long_word() -> None:
    parsed = query_parse("x" * 150)
    assert parsed.terms == ("x" * MAX_WORD_CHARS,)
    assert parsed.notes == (f"shortened a 150-character word to {MAX_WORD_CHARS}",)


def test_many_problems_are_summed_up_in_a_few_notes() -> None:
    parsed = query_parse(" ".join(f"field{letter}:value" for letter in "abcdefghijklmnopqrst"))
    assert len(parsed.notes) == 9
    assert parsed.notes[-1] == "and 12 more problems like these"


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01", "* ( ) ;", '""', "-"])
def test_a_query_with_nothing_in_it_is_empty(query: str) -> None:
    parsed = query_parse(query)
    assert parsed.is_empty
    assert parsed.text == ""
    assert parsed.arxiv_id is None


def test_a_filter_alone_is_not_empty() -> None:
    parsed = query_parse("cat:cs.LG")
    assert not parsed.is_empty
    assert parsed.text == ""


def test_form_filters_are_merged_into_the_typed_ones() -> None:
    parsed = query_parse("diffusion cat:cs.LG author:lecun after:2024-01 before:2025-06")
    merged = parsed.with_filters(
        categories=["cs.lg", "stat.ML"],
        authors=["Yann LeCun", "LeCun"],
        after=date(2023, 1, 1),
        before=date(2025, 3, 31),
    )
    assert merged.terms == ("diffusion",)
    assert merged.categories == ("cs.LG", "stat.ML")
    assert merged.authors == ("lecun", "Yann LeCun")
    assert (merged.after, merged.before) == (date(2024, 1, 1), date(2025, 3, 31))
    assert merged.raw == parsed.raw
    assert merged.notes == ()


def test_form_filters_on_a_query_without_filters_are_taken_as_given() -> None:
    merged = query_parse("").with_filters(after=date(2024, 5, 1))
    assert merged.after == date(2024, 5, 1)
    assert merged.before is None
    assert not merged.is_empty


def test_a_bad_form_category_is_dropped_with_a_note() -> None:
    merged = query_parse("x").with_filters(categories=["nonsense", "cs.ai"])
    assert merged.categories == ("cs.AI",)
    assert merged.notes == ('ignored "nonsense": not an arXiv category such as cs.LG or hep-th',)


def test_form_dates_that_cross_the_typed_ones_get_a_note() -> None:
    merged = query_parse("after:2025-06").with_filters(before=date(2025, 1, 31))
    assert (merged.after, merged.before) == (date(2025, 6, 1), date(2025, 1, 31))
    assert any("no paper can match" in note for note in merged.notes)


def test_merged_form_filters_do_not_hide_a_pasted_id() -> None:
    merged = query_parse("arXiv:2401.12345").with_filters(categories=["cs.LG"])
    assert merged.arxiv_id == "2401.12345"


def test_merging_keeps_the_typed_notes() -> None:
    merged = query_parse("foo:bar").with_filters(authors=["bengio"])
    assert merged.notes == query_parse("foo:bar").notes
