"""DATABASE_URL as paperfeed reads it: PostgreSQL connections give up after a few seconds."""

from __future__ import annotations

import pytest

from paperfeed import settings


def test_postgresql_connections_time_out_unless_the_url_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example.org:5432/paperfeed")
    options = settings._database()["OPTIONS"]
    assert options == {"connect_timeout": settings.PG_CONNECT_TIMEOUT}
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/paperfeed?connect_timeout=20")
    assert settings._database()["OPTIONS"] == {"connect_timeout": 20}


def test_sqlite_urls_keep_sqlites_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.db")
    options = settings._database()["OPTIONS"]
    assert "connect_timeout" not in options and "init_command" in options
