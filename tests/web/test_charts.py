"""The charts drawn on the server: one bar per year with its count, labels readable without
JavaScript."""

from __future__ import annotations

import re

from paperfeed.web.charts import year_bars


def bars(svg: str) -> list[tuple[int, int]]:
    found = re.findall(r'<rect class="chart-bar" data-year="(\d+)" data-count="(\d+)"', svg)
    return [(int(year), int(n)) for year, n in found]


def test_one_bar_per_year_with_its_count() -> None:
    svg = str(year_bars([(2019, 4), (2021, 1), (2022, 7)]))
    assert bars(svg) == [(2019, 4), (2020, 0), (2021, 1), (2022, 7)]  # the empty year shows
    assert "<title>2019: 4 papers</title>" in svg and "<title>2021: 1 paper</title>" in svg
    assert 'aria-label="Papers per year: 2019: 4, 2020: 0, 2021: 1, 2022: 7"' in svg
    assert 'role="img"' in svg and "style=" not in svg  # the CSP forbids inline style
    assert ">2019</text>" in svg and ">2022</text>" in svg and ">7</text>" in svg


def test_bars_are_as_tall_as_their_counts() -> None:
    svg = str(year_bars([(2020, 2), (2021, 4)]))
    heights = [float(h) for h in re.findall(r'class="chart-bar"[^>]* height="([\d.]+)"', svg)]
    assert heights[1] == 2 * heights[0] > 0


def test_a_single_year_is_one_bar_and_no_years_is_nothing() -> None:
    assert bars(str(year_bars([(2024, 3)]))) == [(2024, 3)]
    assert str(year_bars([])) == ""
