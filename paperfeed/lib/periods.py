"""Calendar periods for the daily-papers pages: a day, an ISO week or a month.

Pure Python, no Django: the web layer parses the slug in a URL (`2026-03-14`, `2026-W11`,
`2026-03`) into a Period and asks the community selectors for the papers featured in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("day", "week", "month")
# arXiv opened in 1991; the upper bound leaves room for next() without leaving `date`'s range.
MIN_YEAR, MAX_YEAR = 1991, 9998

_FORMS = {
    "day": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "YYYY-MM-DD"),
    "week": (re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE), "YYYY-Www, e.g. 2026-W11"),
    "month": (re.compile(r"^(\d{4})-(\d{2})$"), "YYYY-MM"),
}
_NOUNS = {"day": "date", "week": "week", "month": "month"}


class PeriodError(ValueError):
    """A period kind or slug that cannot be read; the message says what to type instead."""


@dataclass(frozen=True)
class Period:
    """The days from `start` (inclusive) to `end` (exclusive) of one day, ISO week or month."""

    kind: str
    start: date
    end: date

    @property
    def slug(self) -> str:
        """The form used in URLs, which period_parse reads back."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        """A heading for people: "14 March 2026", "Week 11, 2026 (9–15 March)", "March 2026"."""
        if self.kind == "day":
            return _day_label(self.start)
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week}, {year} ({_range_label(self.start, self.end - timedelta(days=1))})"
        return f"{self.start:%B %Y}"

    def previous(self) -> Period:
        return period_of(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_of(self.kind, self.end)

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` that contains `day` (weeks start on Monday, as ISO weeks do)."""
    _check_kind(kind)
    if kind == "day":
        return Period(kind, day, day + timedelta(days=1))
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=7))
    start = day.replace(day=1)
    end = date(start.year + 1, 1, 1) if start.month == 12 else start.replace(month=start.month + 1)
    return Period(kind, start, end)


def period_parse(kind: str, text: str) -> Period:
    """Read a slug such as "2026-03-14", "2026-W11" or "2026-03"; raise PeriodError if it is not
    one, names a day that does not exist, or falls outside the years 1991 to 9998."""
    _check_kind(kind)
    pattern, form = _FORMS[kind]
    cleaned = (text or "").strip()
    match = pattern.match(cleaned)
    shown = cleaned if len(cleaned) <= 40 else cleaned[:37] + "..."
    if not match:
        raise PeriodError(f"'{shown}' is not a {_NOUNS[kind]} (use {form})")
    numbers = [int(part) for part in match.groups()]
    if not MIN_YEAR <= numbers[0] <= MAX_YEAR:
        raise PeriodError(f"'{shown}' is out of range: use a year from {MIN_YEAR} to {MAX_YEAR}")
    try:
        if kind == "week":
            day = date.fromisocalendar(numbers[0], numbers[1], 1)
        else:
            day = date(numbers[0], numbers[1], numbers[2] if kind == "day" else 1)
    except ValueError:
        raise PeriodError(f"'{shown}' is not a {_NOUNS[kind]} (use {form})") from None
    return period_of(kind, day)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise PeriodError(f"'{kind}' is not a kind of period (use day, week or month)")


def _day_label(d: date, *, year: bool = True) -> str:
    return f"{d.day} {d:%B}" + (f" {d.year}" if year else "")


def _range_label(first: date, last: date) -> str:
    """The days of a week: 9–15 March, 26 January – 1 February, or across a new year."""
    if first.year != last.year:
        return f"{_day_label(first)} – {_day_label(last)}"
    if first.month != last.month:
        return f"{_day_label(first, year=False)} – {_day_label(last, year=False)}"
    return f"{first.day}–{_day_label(last, year=False)}"
