"""Message building: line lengths and line ends either encoding, and no header injection."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from paperfeed.digests.rendering import mime_build, one_line, summary


@pytest.mark.parametrize(("eight_bit", "longest"), [(False, 76), (True, 990)])
def test_lines_are_short_and_end_in_crlf(eight_bit: bool, longest: int) -> None:
    html = one_line("<p>" + "é long words and <b>tags</b> " * 400 + "</p>\n" + "x" * 3000)
    text = "Line one\nLine two é\r\n" + "word " * 500
    data = mime_build(to="a@example.org", subject="Daily papers · 14 March", text=text,
                      html=html, msg_id="<m@example.org>", eight_bit=eight_bit)  # fmt: skip
    body = data.split(b"\r\n\r\n", 1)[1]
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= longest
    parsed = message_from_bytes(data, policy=policy.default)
    plain = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")
    if eight_bit:  # a line over 990 bytes is broken at a space
        assert plain.split() == text.split()
    else:
        assert plain.rstrip("\n") == text.replace("\r\n", "\n")  # trailing spaces kept
    assert "é long words" in parsed.get_body(("html",)).get_content()
    assert parsed["Subject"] == "Daily papers · 14 March"


def test_header_values_cannot_carry_line_breaks() -> None:
    with pytest.raises(ValueError, match="line break"):
        mime_build(to="a@b.c\r\nBcc: x@example.org", subject="s", text="t", html="h",
                   msg_id="<m@x>")  # fmt: skip


def test_a_summary_is_the_first_sentences() -> None:
    text = "First sentence here. Second one follows. " + "Third is very long. " * 30
    assert summary(text).startswith("First sentence here. Second one follows.")
    assert len(summary(text)) <= 280 and summary("Short.") == "Short."
