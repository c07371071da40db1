"""Rate limits for the write endpoints and search: fixed windows counted in the database by
`paperfeed.accounts.ratelimit.rate_hit` (shared with the website's limits; see there why)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from paperfeed.accounts.auth import AnyUser
from paperfeed.accounts.backends import client_ip
from paperfeed.accounts.ratelimit import rate_hit
from paperfeed.api.auth import bearer_user


class DatabaseThrottle(BaseThrottle):
    """At most `settings.<setting>` requests a minute per identity, where the identity is the
    authenticated user (`per="user"`; session or token alike, skipped for anonymous requests)
    or the client's address (`per="address"`)."""

    WINDOW = 60

    def __init__(self, scope: str, setting: str, *, per: str) -> None:
        self.scope, self.setting, self.per = scope, setting, per
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        ident = self._ident(request)
        if ident is None:
            return True
        limit: int = getattr(settings, self.setting)
        hits, left = rate_hit(key=f"{self.scope}:{ident}", window=self.WINDOW)
        self._wait = left
        return hits <= limit

    def wait(self) -> float | None:
        return self._wait

    def _ident(self, request: HttpRequest) -> str | None:
        if self.per == "user":
            user: AnyUser | None = getattr(request, "auth", None)
            if user is None:  # a read endpoint: counted per token when one comes with it
                user = bearer_user(request)
            return f"user:{user.pk}" if user is not None and user.is_authenticated else None
        return f"address:{client_ip(request) or 'unknown'}"


def write_throttles() -> list[BaseThrottle]:
    return [
        DatabaseThrottle("write", "API_WRITE_RATE", per="user"),
        DatabaseThrottle("write", "API_WRITE_RATE", per="address"),
    ]


def search_throttles() -> list[BaseThrottle]:
    return [
        DatabaseThrottle("search", "API_SEARCH_RATE", per="user"),
        DatabaseThrottle("search", "API_SEARCH_RATE", per="address"),
    ]


def comment_throttles() -> list[BaseThrottle]:
    """Posting a comment: the write limits, and COMMENT_RATE comments a minute per user. The
    key (`comment:user:<id>`) is the one the website counts its comments under, so both count
    together."""
    return [*write_throttles(), DatabaseThrottle("comment", "COMMENT_RATE", per="user")]
