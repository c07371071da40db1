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
