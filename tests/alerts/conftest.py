from __future__ import annotations

from tests.digests.conftest import digest_settings, smtp

__all__ = ["digest_settings", "smtp"]  # fixtures: a loopback SMTP server, digest settings
