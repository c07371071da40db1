from __future__ import annotations

import pytest

from paperfeed.digests.smtpurl import SmtpConfig, SmtpUrlError, smtp_url_parse

HOST = "mail.example.org"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"smtp://{HOST}", SmtpConfig(HOST, 25)),
        (f"smtp://u:p%40ss@{HOST}:2525", SmtpConfig(HOST, 2525, "u", "p@ss")),
        (f"smtp://u:p@{HOST}?starttls=true",
         SmtpConfig(HOST, 587, "u", "p", use_tls=True)),
        (f"smtps://u:p@{HOST}", SmtpConfig(HOST, 465, "u", "p", use_ssl=True)),
        ("smtp://h:25?timeout=5", SmtpConfig("h", 25, timeout=5.0)),
    ],
)  # fmt: skip
def test_it_reads_smtp_urls(url: str, expected: SmtpConfig) -> None:
    assert smtp_url_parse(url) == expected


@pytest.mark.parametrize(
    "url",
    ["http://h", "smtp://", "smtps://h?starttls=true", "smtp://h?starttls=maybe", "smtp://h:x",
     "smtp://h?tls=1"],
)  # fmt: skip
def test_it_refuses_bad_urls(url: str) -> None:
    with pytest.raises(SmtpUrlError):
        smtp_url_parse(url)
