"""Emails from templates: `<name>-subject.txt`, `<name>-body.txt` and `<name>-body.html` under
templates/digests/, the HTML with its CSS inlined (css-inline; media queries kept in a <style>
for phones), built into a multipart/alternative message.

Messages are built as bytes by hand rather than through `email.message`, which keeps a digest
fast to build. Both parts are quoted-printable (binascii's C encoder; 7-bit, lines under 78
characters), or 8-bit UTF-8 with lines under 1,000 bytes for servers that announce 8BITMIME:
about a tenth of the lines, which the receiving server reads one by one.
"""

from __future__ import annotations

import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import Any

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(name: str, context: dict[str, Any]) -> RenderedEmail:
    """The three templates of one email, rendered; the subject on one line."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"digests/{name}-subject.txt", context)
    text = render_to_string(f"digests/{name}-body.txt", context)
    html = render_to_string(f"digests/{name}-body.html", context)
    return RenderedEmail(_SPACES.sub(" ", subject).strip(), text, INLINER.inline(html))


def css_inline_fragment(html: str, css: str) -> str:
    return css_inline.inline_fragment(html, css)


def message_id(key: str) -> str:
    """A Message-ID on the sending domain; the same key gives the same id, so that a message
    sent again (see docs/digests.md, "Exactly once") can be recognised as a copy."""
    return f"<{key}@{sender_domain()}>"


def sender_address() -> str:
    return _address_of(settings.DEFAULT_FROM_EMAIL)


def sender_domain() -> str:
    return sender_address().rpartition("@")[2] or "localhost"


@lru_cache(maxsize=8)
def _address_of(value: str) -> str:
    return parseaddr(value)[1] or "paperfeed@localhost"


def mime_build(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    msg_id: str,
    headers: dict[str, str] | None = None,
    date: datetime | None = None,
    eight_bit: bool = False,
) -> bytes:
    """A multipart/alternative message (plain text first, HTML second) with CRLF line ends.
    Refuses header values holding line breaks, so no header can be injected."""
    boundary = f"=_pf_{secrets.token_hex(12)}"
    fields = {
        "From": _address_header(settings.DEFAULT_FROM_EMAIL),
        "To": to,
        "Subject": _encoded(subject),
        "Date": format_datetime(date or timezone.now()),
        "Message-ID": msg_id,
        "MIME-Version": "1.0",
        "Content-Type": f'multipart/alternative; boundary="{boundary}"',
        **(headers or {}),
    }
    lines = []
    for key, value in fields.items():
        unfolded = value.replace("\r\n ", " ")  # folds made by _encoded are fine
        if "\r" in unfolded or "\n" in unfolded:
            raise ValueError(f"header {key} holds a line break")
        lines.append(f"{key}: {value}")
    head = "\r\n".join(lines).encode("ascii")
    return b"".join(
        [
            head,
            b"\r\n\r\n",
            _part(boundary, "text/plain", text, eight_bit),
            _part(boundary, "text/html", html, eight_bit),
            f"--{boundary}--\r\n".encode("ascii"),
        ]
    )


def _part(boundary: str, kind: str, body: str, eight_bit: bool) -> bytes:
    lf = body.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if not lf.endswith(b"\n"):  # so that trailing spaces are encoded, not dropped
        lf += b"\n"
    if eight_bit:
        encoded = _short_lines(lf.replace(b"\n", b"\r\n"))
    else:  # encoded with LF line ends (hard and soft alike), then made CRLF
        encoded = binascii.b2a_qp(lf, istext=True).replace(b"\n", b"\r\n")
    if not encoded.endswith(b"\r\n"):
        encoded += b"\r\n"
    head = (
        f'--{boundary}\r\nContent-Type: {kind}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {'8bit' if eight_bit else 'quoted-printable'}\r\n\r\n"
    )
    return head.encode("ascii") + encoded


LINE_LIMIT = 990  # RFC 5321 allows 998 bytes before CRLF


def _short_lines(data: bytes) -> bytes:
    """Break lines longer than LINE_LIMIT after a '>' or a space (HTML and text both read the
    same with a line break there)."""
    lines = data.split(b"\r\n")
    if max(map(len, lines)) <= LINE_LIMIT:
        return data
    out = []
    for line in lines:
        while len(line) > LINE_LIMIT:
            cut = max(line.rfind(b">", 0, LINE_LIMIT), line.rfind(b" ", 0, LINE_LIMIT)) + 1
            if cut <= 0:  # no break point: a very long word; keep a valid UTF-8 boundary
                cut = LINE_LIMIT
                while cut > 0 and (line[cut] & 0xC0) == 0x80:
                    cut -= 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return b"\r\n".join(out)


@lru_cache(maxsize=256)
def _encoded(value: str) -> str:
    if value.isascii() and len(value) < 900:
        return value
    return Header(value, "utf-8").encode(linesep="\r\n")


@lru_cache(maxsize=8)
def _address_header(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


# The digest: its shared part rendered once per edition, with markers where each subscriber's
# own values go; per subscriber only the markers are replaced (and picks rendered, cached).
MARK = "%%PF-{}%%"
PERSONAL = ("email", "unsubscribe_url", "picks_html", "picks_text", "alerts_html", "alerts_text")
SUMMARY_CHARS = 280
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9$(\\])")


class DigestRenderer:
    """Renders one edition for many subscribers."""

    def __init__(self, edition: Any) -> None:
        from paperfeed.papers.models import Paper

        self.edition = edition
        ids = [int(row["id"]) for rows in edition.content.values() for row in rows]
        papers = Paper.objects.defer("title_raw", "abstract_raw", "authors_raw").in_bulk(ids)
        sections = {
            name: [paper_entry(papers[int(r["id"])], upvotes=int(r["upvotes"]))
                   for r in rows if int(r["id"]) in papers]
            for name, rows in edition.content.items()
        }  # fmt: skip
        top = sections.get("top", [])
        lead = top[0]["paper"].title if top else ""
        route = "daily_day" if edition.frequency == "daily" else "daily_week"
        from django.urls import reverse

        from paperfeed.lib.periods import Period

        kind = "day" if edition.frequency == "daily" else "week"
        period = Period(kind, edition.period_start, edition.period_end)
        context = {
            "frequency": edition.frequency,
            "label": period.label,
            "lead": lead if len(lead) <= 70 else lead[:67].rstrip() + "…",
            "top": top,
            "rising": sections.get("trending", []),
            "period_url": reverse(route, args=[edition.slug]),
            **{name: MARK.format(name) for name in PERSONAL},
        }
        rendered = render_email("digest", context)
        text = BLANK_LINES.sub("\n\n", rendered.text)
        self.rendered = RenderedEmail(rendered.subject, text, one_line(rendered.html))
        self._text, self._html = _segments(self.rendered.text), _segments(self.rendered.html)
        self.css = render_to_string("digests/_style.css")
        self._picks: dict[tuple[tuple[int, str], ...], tuple[str, str]] = {}

    def render(
        self,
        *,
        email: str,
        unsubscribe_url: str,
        picks: list[Any],
        alerts: tuple[str, str] = ("", ""),
    ) -> RenderedEmail:
        """The edition for one subscriber: their picks and, when they have news, a section
        per alert of theirs (`alerts`: HTML and text, see alert_rendering.alert_parts)."""
        picks_html, picks_text = self._picks_parts(picks)
        alerts_html, alerts_text = alerts
        html_values = {
            "email": _html_escape(email),
            "unsubscribe_url": _html_escape(unsubscribe_url),
            "picks_html": picks_html,
            "alerts_html": alerts_html,
        }
        text_values = {"email": email, "unsubscribe_url": unsubscribe_url,
                       "picks_text": picks_text, "alerts_text": alerts_text}  # fmt: skip
        return RenderedEmail(
            self.rendered.subject,
            _fill(self._text, text_values),
            _fill(self._html, html_values),
        )

    def message(
        self,
        *,
        email: str,
        unsubscribe_url: str,
        picks: list[Any],
        msg_id: str,
        eight_bit: bool = False,
        alerts: tuple[str, str] = ("", ""),
    ) -> bytes:
        rendered = self.render(
            email=email, unsubscribe_url=unsubscribe_url, picks=picks, alerts=alerts
        )
        token = unsubscribe_url.rstrip("/").rpartition("/")[2]
        mailto = f"mailto:{sender_address()}?subject=unsubscribe%20{token}"
        headers = list_headers(
            unsubscribe=f"<{unsubscribe_url}>,\r\n <{mailto}>",
            frequency=self.edition.frequency,
            kind="digest",
        )
        return mime_build(to=email, subject=rendered.subject, text=rendered.text,
                          html=rendered.html, msg_id=msg_id, headers=headers,
                          eight_bit=eight_bit)  # fmt: skip

    def _picks_parts(self, picks: list[Any]) -> tuple[str, str]:
        if not picks:
            return "", ""
        key = tuple((p.paper.pk, p.reason) for p in picks)
        parts = self._picks.get(key)
        if parts is None:
            context = {
                "site_url": settings.SITE_URL,
                "picks": [paper_entry(p.paper, upvotes=None, reason=p.reason) for p in picks],
            }
            html = css_inline_fragment(render_to_string("digests/_picks.html", context), self.css)
            html = one_line(html)
            text = BLANK_LINES.sub("\n\n", render_to_string("digests/_picks.txt", context))
            parts = self._picks[key] = (html, text)
            if len(self._picks) > 10_000:  # personal picks are rarely shared: keep memory flat
                self._picks.clear()
        return parts


def list_headers(*, unsubscribe: str, frequency: str, kind: str) -> dict[str, str]:
    """The headers of a list message: RFC 8058 one-click unsubscribe (`unsubscribe`: the
    List-Unsubscribe value), the list's id, and bulk, automatic mail."""
    return {
        "List-Unsubscribe": unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} {frequency} {kind} "
        f"<{frequency}.{kind}.{sender_domain()}>",
        "Precedence": "bulk",
        "Auto-Submitted": "auto-generated",
    }


def paper_entry(paper: Any, *, upvotes: int | None, reason: str = "") -> dict[str, Any]:
    names = paper.authors or []
    authors = ", ".join(names[:4]) + (" et al." if len(names) > 4 else "")
    return {"paper": paper, "upvotes": upvotes, "authors": authors, "reason": reason,
            "summary": summary(paper.abstract)}  # fmt: skip


def summary(abstract: str) -> str:
    """The first sentences of an abstract, about SUMMARY_CHARS long at most."""
    text = _SPACES.sub(" ", abstract or "").strip()
    if len(text) <= SUMMARY_CHARS:
        return text
    out = ""
    for sentence in _SENTENCE_END.split(text):
        if out and len(out) + len(sentence) + 1 > SUMMARY_CHARS:
            break
        out = f"{out} {sentence}".strip()
    if len(out) > SUMMARY_CHARS:
        out = out[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return out


_NEWLINES = re.compile(r"\s*\n\s*")
BLANK_LINES = re.compile(r"\n{3,}")


def one_line(html: str, width: int = 600) -> str:
    """HTML with its line breaks moved: a space where they were (which HTML reads the same;
    the digest templates hold no <pre>), a break after a '>' or a space every `width`
    characters or so. A tenth of the lines, which matters because a mail server reads a message
    line by line; `width` leaves room for the personal values filled in later."""
    flat = _NEWLINES.sub(" ", html)
    lines = []
    while len(flat) > width:
        cut = max(flat.rfind(">", 0, width), flat.rfind(" ", 0, width)) + 1
        cut = cut if cut > 0 else width
        lines.append(flat[:cut])
        flat = flat[cut:]
    lines.append(flat)
    return "\n".join(lines)


_MARKS = re.compile("(" + "|".join(re.escape(MARK.format(name)) for name in PERSONAL) + ")")


def _segments(template: str) -> list[str]:
    """The template cut at its markers: literal text at even positions, marker names at odd."""
    parts = _MARKS.split(template)
    return [part[5:-2] if n % 2 else part for n, part in enumerate(parts)]


def _fill(segments: list[str], values: dict[str, str]) -> str:
    """One pass: the literal text, with each marker's value in its place."""
    return "".join(values[part] if n % 2 else part for n, part in enumerate(segments))


def _html_escape(value: str) -> str:
    from html import escape

    return escape(value, quote=True)


def absolute(path: str) -> str:
    """A site path as the full URL a message links to (PAPERFEED_SITE_URL)."""
    return f"{settings.SITE_URL}{path}"
