from __future__ import annotations

from datetime import date

import pytest

from paperfeed.lib.periods import Period, PeriodError, period_of, period_parse


def test_a_day_parses_to_itself_and_reads_as_a_date() -> None:
    period = period_parse("day", "2026-03-14")
    assert period == Period("day", date(2026, 3, 14), date(2026, 3, 15))
    assert period.slug == "2026-03-14"
    assert period.label == "14 March 2026"


def test_an_iso_week_starts_on_monday() -> None:
    period = period_parse("week", "2026-W11")
    assert (period.start, period.end) == (date(2026, 3, 9), date(2026, 3, 16))
    assert period.start.weekday() == 0
    assert period.slug == "2026-W11"
    assert period.label == "Week 11, 2026 (9–15 March)"


def test_week_labels_name_both_months_or_years_when_they_differ() -> None:
    assert period_parse("week", "2026-W05").label == "Week 5, 2026 (26 January – 1 February)"
    assert period_parse("week", "2026-W01").label == (
        "Week 1, 2026 (29 December 2025 – 4 January 2026)"
    )


def test_a_week_slug_uses_the_iso_year() -> None:
    # 29 December 2025 is a Monday in ISO week 1 of 2026.
    assert period_of("week", date(2025, 12, 31)).slug == "2026-W01"
    assert period_parse("week", "2026-w01").start == date(2025, 12, 29)


def test_a_month_runs_to_the_first_of_the_next() -> None:
    period = period_parse("month", "2026-12")
    assert (period.start, period.end) == (date(2026, 12, 1), date(2027, 1, 1))
    assert period.slug == "2026-12"
    assert period.label == "December 2026"


@pytest.mark.parametrize(
    ("kind", "slug", "before", "after"),
    [
        ("day", "2026-03-01", "2026-02-28", "2026-03-02"),
        ("day", "2024-12-31", "2024-12-30", "2025-01-01"),
        ("week", "2026-W01", "2025-W52", "2026-W02"),
        ("week", "2020-W53", "2020-W52", "2021-W01"),
        ("month", "2026-01", "2025-12", "2026-02"),
    ],
)
def test_previous_and_next_step_one_period(kind: str, slug: str, before: str, after: str) -> None:
    period = period_parse(kind, slug)
    assert period.previous().slug == before
    assert period.next().slug == after
    assert period.next().previous() == period


def test_contains_includes_the_start_and_excludes_the_end() -> None:
    week = period_parse("week", "2026-W11")
    assert week.contains(date(2026, 3, 9))
    assert week.contains(date(2026, 3, 15))
    assert not week.contains(date(2026, 3, 16))
    assert not week.contains(date(2026, 3, 8))


def test_period_of_finds_the_period_around_a_day() -> None:
    day = date(2026, 3, 14)  # a Saturday
    assert period_of("day", day).slug == "2026-03-14"
    assert period_of("week", day).slug == "2026-W11"
    assert period_of("month", day).slug == "2026-03"


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("day", "2026-13-01", "'2026-13-01' is not a date (use YYYY-MM-DD)"),
        ("day", "2026-02-30", "is not a date"),
        ("day", "yesterday", "is not a date"),
        ("day", "", "is not a date"),
        ("day", "1990-12-31", "use a year from 1991 to 9998"),
        ("day", "9999-01-01", "use a year from 1991 to 9998"),
        ("week", "2026-W54", "is not a week (use YYYY-Www"),
        ("week", "2026-W00", "is not a week"),
        ("week", "2026-11", "is not a week"),
        ("month", "2026-00", "is not a month (use YYYY-MM)"),
        ("month", "2026-03-01", "is not a month"),
        ("year", "2026", "'year' is not a kind of period"),
    ],
)
def test_bad_slugs_and_kinds_raise_a_helpful_period_error(
    kind: str, text: str, message: str
) -> None:
    with pytest.raises(PeriodError, match=message.replace("(", r"\(").replace(")", r"\)")):
        period_parse(kind, text)


def test_a_huge_slug_is_shortened_in_the_message() -> None:
    with pytest.raises(PeriodError) as caught:
        period_parse("day", "9" * 5000)
    assert len(str(caught.value)) < 100


def test_period_error_is_a_value_error() -> None:
    assert issubclass(PeriodError, ValueError)
    with pytest.raises(PeriodError):
        period_of("fortnight", date(2026, 1, 1))
