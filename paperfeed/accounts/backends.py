"""Login rate limiting: django-axes, wired for paperfeed.

django-axes counts failed logins per (username, address) in the database, so every server
process and host sees the same count; after PAPERFEED_LOGIN_FAILURE_LIMIT failures it refuses
further attempts for PAPERFEED_LOGIN_LOCKOUT_MINUTES, even with the right password.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


# django-axes ships no type information (no py.typed), so to mypy its backend is Any.
class LoginRateLimitBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Axes' checking backend, except for logins that come with no request.

    Every login over the web passes its request to `authenticate` (Django's login form does), and
    those are limited. Calls without one — the test client's `login()`, a shell — have no client
    address to limit by; axes would raise for them, so they go straight on to the next backend.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        # Axes' check returns nothing: it lets the login go on to the next backend or raises.
        super().authenticate(request, username, password, **kwargs)
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address a login came from. REMOTE_ADDR, or behind N trusted reverse proxies the Nth
    address from the right of X-Forwarded-For (the one our outermost proxy saw); the leftmost
    entries are whatever the client chose to send."""
    proxies = settings.PAPERFEED_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR") or None
    if not proxies:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    return chain[-proxies] if len(chain) >= proxies else remote
