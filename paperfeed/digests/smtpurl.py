"""PAPERFEED_SMTP_URL, read into Django's EMAIL_* settings. Plain Python: settings.py imports it.

    smtp://user:password@host:port                 plain SMTP (port 25 by default)
    smtp://user:password@host:587?starttls=true    STARTTLS after connecting (port 587 by default)
    smtps://user:password@host                     TLS from the start (port 465 by default)

User and password are percent-decoded, so a password may hold any character (`%40` for `@`).
`?timeout=SECONDS` sets the socket timeout (default 30).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str = ""
    password: str = ""
    use_tls: bool = False  # STARTTLS
    use_ssl: bool = False  # TLS from the first byte (smtps)
    timeout: float = 30.0


def smtp_url_parse(url: str) -> SmtpConfig:
    """Read an smtp:// or smtps:// URL; SmtpUrlError says what is wrong with a bad one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpUrlError(f"{url!r} is not an SMTP URL (use smtp://host:port or smtps://host)")
    if not parts.hostname:
        raise SmtpUrlError(f"{url!r} names no host (use smtp://user:password@host:port)")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise SmtpUrlError(f"{url!r}: unknown option {sorted(unknown)[0]!r} (starttls, timeout)")
    starttls = query.get("starttls", "false")
    if starttls not in TRUE + FALSE:
        raise SmtpUrlError(f"{url!r}: starttls must be true or false")
    use_ssl = parts.scheme == "smtps"
    use_tls = starttls in TRUE
    if use_ssl and use_tls:
        raise SmtpUrlError(f"{url!r}: smtps:// is TLS already; drop starttls")
    try:
        port = parts.port or (465 if use_ssl else 587 if use_tls else 25)
        timeout = float(query.get("timeout", "30"))
    except ValueError:
        raise SmtpUrlError(f"{url!r}: the port and timeout must be numbers") from None
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=timeout,
    )
