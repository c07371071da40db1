"""Alerts in email: a section per alert (in a digest, or in the alerts email), each with its own
one-click "stop emailing this alert" link."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string

from paperfeed.alerts.delivery import AlertSection
from paperfeed.alerts.tokens import stop_token
from paperfeed.digests.models import Edition
from paperfeed.digests.rendering import (
    BLANK_LINES,
    RenderedEmail,
    css_inline_fragment,
    list_headers,
    mime_build,
    one_line,
    paper_entry,
    render_email,
)
from paperfeed.lib.periods import Period


def stop_url(alert_ids: list[int]) -> str:
    return f"{settings.SITE_URL}{_stop_prefix()}{stop_token(alert_ids)}"


@lru_cache(maxsize=1)
def _stop_prefix() -> str:
    from django.urls import reverse

    return reverse("alert_email_stop", args=["T"])[:-1]


def _context(sections: list[AlertSection]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "query": s.query,
            "entries": [paper_entry(p, upvotes=None) for p in s.papers],
            "more": s.more,
            "stop_url": stop_url([s.alert_id]),
            "search_url": f"{settings.SITE_URL}/search?q={quote(s.query)}",
        }
        for s in sections
    ]


def alert_parts(sections: list[AlertSection], css: str) -> tuple[str, str]:
    """The sections as HTML (CSS inlined, for a digest's marker) and as text."""
    if not sections:
        return "", ""
    context = {"site_url": settings.SITE_URL, "sections": _context(sections)}
    html = one_line(css_inline_fragment(render_to_string("digests/_alerts.html", context), css))
    text = BLANK_LINES.sub("\n\n", render_to_string("digests/_alerts.txt", context))
    return html, text


class AlertsRenderer:
    """Renders an ALERTS edition's messages: each is the reader's own, built whole."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        kind = "day" if edition.frequency == "daily" else "week"
        self.label = Period(kind, edition.period_start, edition.period_end).label

    def render(
        self, *, email: str, unsubscribe_url: str, sections: list[AlertSection]
    ) -> tuple[RenderedEmail, str]:
        """The message and its List-Unsubscribe address (stops the alerts it lists)."""
        stop_all = stop_url([s.alert_id for s in sections])
        context = {
            "frequency": self.edition.frequency,
            "label": self.label,
            "email": email,
            "unsubscribe_url": unsubscribe_url,
            "stop_all_url": stop_all,
            "sections": _context(sections),
            "count": sum(len(s.papers) + s.more for s in sections),
        }
        rendered = render_email("alerts", context)
        text = BLANK_LINES.sub("\n\n", rendered.text)
        return RenderedEmail(rendered.subject, text, one_line(rendered.html)), stop_all

    def message(
        self,
        *,
        email: str,
        unsubscribe_url: str,
        sections: list[AlertSection],
        msg_id: str,
        eight_bit: bool = False,
    ) -> bytes:
        rendered, stop_all = self.render(
            email=email, unsubscribe_url=unsubscribe_url, sections=sections
        )
        headers = list_headers(
            unsubscribe=f"<{stop_all}>", frequency=self.edition.frequency, kind="alerts"
        )
        return mime_build(to=email, subject=rendered.subject, text=rendered.text,
                          html=rendered.html, msg_id=msg_id, headers=headers,
                          eight_bit=eight_bit)  # fmt: skip
