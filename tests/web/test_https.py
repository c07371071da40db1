"""PAPERFEED_HTTPS: HSTS, secure cookies, the redirect to HTTPS (but not for the probes), and a
clean `paperfeed check --deploy` with production settings."""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

SETTINGS = Path(__file__).resolve().parents[2] / "paperfeed" / "settings.py"
YEAR = 365 * 24 * 3600


def production_env(home: Path, **more: str) -> dict[str, str]:
    return {
        "PAPERFEED_HOME": str(home),
        "PAPERFEED_HTTPS": "true",
        "PAPERFEED_DEBUG": "false",
        "PAPERFEED_SECRET_KEY": secrets.token_urlsafe(64),
        "PAPERFEED_ALLOWED_HOSTS": "papers.example.org",
        **more,
    }


def settings_with(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, Any]:
    """The settings module evaluated afresh under `env` (the running settings stay as they are)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_https_turns_on_hsts_secure_cookies_and_the_redirect(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    on = settings_with(monkeypatch, production_env(tmp_path))
    assert on["SECURE_HSTS_SECONDS"] == YEAR and on["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert on["SECURE_HSTS_PRELOAD"] is False
    assert on["SESSION_COOKIE_SECURE"] is True and on["CSRF_COOKIE_SECURE"] is True
    assert on["SECURE_SSL_REDIRECT"] is True
    assert on["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    off = settings_with(monkeypatch, {"PAPERFEED_HTTPS": "false"})
    assert off["SECURE_HSTS_SECONDS"] == 0 and off["SECURE_SSL_REDIRECT"] is False
    assert off["SESSION_COOKIE_SECURE"] is False and off["SECURE_PROXY_SSL_HEADER"] is None
    # Secure defaults that need no HTTPS.
    assert off["X_FRAME_OPTIONS"] == "DENY" and off["SESSION_COOKIE_HTTPONLY"] is True
    preload = settings_with(monkeypatch, production_env(tmp_path, PAPERFEED_HSTS_PRELOAD="true"))
    assert preload["SECURE_HSTS_PRELOAD"] is True
    assert "security.W021" not in preload["SILENCED_SYSTEM_CHECKS"]


@pytest.fixture
def https(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


@pytest.mark.django_db
def test_plain_http_is_redirected_except_for_the_probes(https: None) -> None:
    client = Client()  # a new client: SecurityMiddleware reads its settings when it starts
    page = client.get("/trending?window=day")
    assert page.status_code == 301
    assert page["Location"] == "https://testserver/trending?window=day"
    for probe in ("/healthz", "/readyz", "/metrics"):
        assert client.get(probe).status_code != 301, probe
    assert client.get("/healthz-and-more").status_code == 301


@pytest.mark.django_db
def test_behind_the_proxy_https_pages_carry_hsts(https: None) -> None:
    page = Client().get("/trending", headers={"X-Forwarded-Proto": "https"})
    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains"


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    # Not this run's settings, nor the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (which the
    # deployment check rightly refuses).
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PAPERFEED_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environ.update(production_env(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "paperfeed", "check", "--deploy", "--fail-level", "WARNING"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
