"""Small charts drawn as SVG on the server: readable without JavaScript, no inline style (the
Content-Security-Policy forbids it), colours from the stylesheet through classes."""

from __future__ import annotations

from datetime import date

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def star_chart(points: list[tuple[date, int]], *, width: int = 260, height: int = 56) -> SafeString:
    """A repository's stars over time as a line with its first and last counts; empty for fewer
    than two counts (a single day says nothing about a trend)."""
    if len(points) < 2:
        return mark_safe("")
    first_day, last_day = points[0][0], points[-1][0]
    span = max((last_day - first_day).days, 1)
    low = min(stars for _, stars in points)
    high = max(stars for _, stars in points)
    rise = max(high - low, 1)
    pad = 4
    coords = [
        (
            pad + (width - 2 * pad) * (day - first_day).days / span,
            height - pad - (height - 2 * pad) * (stars - low) / rise,
        )
        for day, stars in points
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    area = f"{pad},{height - pad} {line} {coords[-1][0]:.1f},{height - pad}"
    gained = points[-1][1] - points[0][1]
    title = (
        f"{points[0][1]:,} stars on {first_day:%-d %b %Y}, {points[-1][1]:,} on "
        f"{last_day:%-d %b %Y} ({gained:+,})"
    )
    last_x, last_y = coords[-1]
    return format_html(
        '<svg class="star-chart" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
        "<title>{title}</title>"
        '<polygon class="chart-area" points="{area}"/>'
        '<polyline class="chart-line" fill="none" points="{line}"/>'
        '<circle class="chart-dot" cx="{x}" cy="{y}" r="2.2"/></svg>',
        w=width, h=height, title=title, area=area, line=line,
        x=f"{last_x:.1f}", y=f"{last_y:.1f}",
    )  # fmt: skip


MAX_BAR = 32  # the widest a year's bar (and its gap) gets, in pixels


def year_bars(
    counts: list[tuple[int, int]], *, what: str = "paper", width: int = 260, height: int = 72
) -> SafeString:
    """How many `what`s each year, one bar per year from the first to the last (years without
    any get an empty bar, so that gaps show); each bar has a <title>, the first and last years
    and the highest count are written out, and the image's label lists every year. Empty for
    no years."""
    if not counts:
        return mark_safe("")
    by_year = dict(counts)
    years = list(range(min(by_year), max(by_year) + 1))
    high = max(by_year.values())
    pad, top, bottom = 2, 12, 14  # room for the highest count above, the years below
    width = min(width, max(64, 2 * pad + len(years) * MAX_BAR))  # a few years: narrow bars
    slot = (width - 2 * pad) / len(years)
    gap = min(2.0, slot * 0.2)
    floor = height - bottom
    bars = []
    for i, year in enumerate(years):
        n = by_year.get(year, 0)
        bar = (floor - top) * n / high
        x, y, w, h = pad + i * slot + gap / 2, floor - bar, slot - gap, bar
        rect = format_html(
            '<rect class="chart-bar" data-year="{}" data-count="{}" x="{}" y="{}" width="{}" '
            'height="{}"><title>{}: {}</title></rect>',
            year, n, f"{x:.1f}", f"{y:.1f}", f"{w:.1f}", f"{h:.1f}", year, _count(n, what),
        )  # fmt: skip
        bars.append(rect)
    peak = next(i for i, year in enumerate(years) if by_year.get(year, 0) == high)
    summary = ", ".join(f"{year}: {by_year.get(year, 0)}" for year in years)
    label = f"{what.capitalize()}s per year: {summary}"
    last = format_html(
        '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
        width - pad, height - 2, years[-1],
    ) if len(years) > 1 else ""  # fmt: skip
    return format_html(
        '<svg class="bar-chart" role="img" aria-label="{label}" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}"><title>{label}</title>{bars}'
        '<line class="chart-axis" x1="0" y1="{floor}" x2="{w}" y2="{floor}"/>'
        '<text class="chart-label" x="{pad}" y="{base}" text-anchor="start">{first}</text>{last}'
        '<text class="chart-label" x="{px}" y="{py}" text-anchor="middle">{high}</text></svg>',
        label=label, w=width, h=height, bars=mark_safe("".join(bars)), floor=floor, pad=pad,
        base=height - 2, first=years[0], last=last,
        px=f"{min(max(pad + (peak + 0.5) * slot, pad + 6), width - pad - 6):.1f}", py=top - 2,
        high=high,
    )  # fmt: skip


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"
