"""Rate limits: fixed windows counted in the database, shared by the website and the API.

Django's default cache is per process (LocMemCache), so a limit counted there would be
multiplied by the number of gunicorn workers and hosts (and a database or file cache is not
atomic, which is also why django-ratelimit is not used). Each counted action is instead one
upsert into `RateCounter` (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, the same statement on
SQLite and PostgreSQL): atomic under concurrency, shared by every process, about 0.3 ms on
SQLite. A fixed window lets a client send up to twice the limit across a window boundary; that
is the price of one row per key and window. See docs/api.md and docs/web.md.
"""

from __future__ import annotations

import hashlib
import random
import time

from django.db import connection

from paperfeed.accounts.models import RateCounter

# Share of new windows that also delete expired counters, so that the table stays small
# without a scheduled job. KEEP_SECONDS must be at least the longest window in use (an hour).
CLEANUP_SHARE = 0.01
KEEP_SECONDS = 3600


def rate_hit(*, key: str, window: int, now: float | None = None) -> tuple[int, float]:
    """Count one action for `key` in the current window of `window` seconds; return the count
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


def rate_limit(*, key: str, limit: int, window: int) -> float | None:
    """Count one action for `key`; None when it is within `limit` actions per `window` seconds,
    otherwise the seconds to wait before the next one is allowed."""
    hits, left = rate_hit(key=key, window=window)
    return None if hits <= limit else left


def address_key(email: str) -> str:
    """A counter key for an email address that does not store the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
