"""Rate limits for the write endpoints and search: fixed windows counted in the database.

Django's default cache is per process (LocMemCache), so a limit counted there would be
multiplied by the number of gunicorn workers and hosts. Each counted request is instead one
upsert into `RateCounter` (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, the same statement on
SQLite and PostgreSQL): atomic under concurrency, shared by every process, about 0.3 ms
on SQLite. A fixed window lets a client send up to twice the limit across a window
boundary; that is the price of one row per key and window. See docs/api.md.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from paperfeed.accounts.backends import client_ip
from paperfeed.api.auth import bearer_user
from paperfeed.api.models import RateCounter

# Share of new windows that also delete expired counters, so that the table stays small
# without a scheduled job.
CLEANUP_SHARE = 0.01
KEEP_SECONDS = 3600


def rate_hit(*, key: str, window: int, now: float | None = None) -> tuple[int, float]:
    """Count one request for `key` in the current window of `window` seconds; return the count
    so far (this one included) and the seconds until the window ends."""
    now = time.time() if now is None else now
    start = int(now // window) * window
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key_col = connection.ops.quote_name("key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, window_start, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_col}, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [key[:200], start],
        )
        hits = cursor.fetchone()[0]
    if hits == 1 and random.random() < CLEANUP_SHARE:
        RateCounter.objects.filter(window_start__lt=int(now) - KEEP_SECONDS).delete()
    return hits, start + window - now


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
        limit = getattr(settings, self.setting)
        hits, left = rate_hit(key=f"{self.scope}:{ident}", window=self.WINDOW)
        self._wait = left
        return hits <= limit

    def wait(self) -> float | None:
        return self._wait

    def _ident(self, request: HttpRequest) -> str | None:
        if self.per == "user":
            user: Any = getattr(request, "auth", None)
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
