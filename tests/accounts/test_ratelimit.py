"""The rate-limit counter the website and the API share: fixed windows, one row per key and
window, counted by one upsert."""

from __future__ import annotations

import pytest

from paperfeed.accounts import ratelimit
from paperfeed.accounts.models import RateCounter
from paperfeed.accounts.ratelimit import address_key, rate_hit, rate_limit

pytestmark = pytest.mark.django_db


def test_counters_are_shared_rows_in_fixed_windows() -> None:
    assert rate_hit(key="k", window=60, now=120.0) == (1, 60.0)
    assert rate_hit(key="k", window=60, now=150.0) == (2, 30.0)
    assert rate_hit(key="k", window=60, now=180.0) == (1, 60.0)  # a new window
    assert rate_hit(key="other", window=60, now=181.0)[0] == 1
    assert RateCounter.objects.get(key="k", window_start=120).hits == 2
    assert RateCounter._meta.db_table == "api_ratecounter"  # the table the api app created


def test_a_limit_says_how_long_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit.time, "time", lambda: 7200.0 + 600)
    assert rate_limit(key="signup:x", limit=2, window=3600) is None
    assert rate_limit(key="signup:x", limit=2, window=3600) is None
    assert rate_limit(key="signup:x", limit=2, window=3600) == 3000.0


def test_old_windows_are_cleaned_up_now_and_then(monkeypatch: pytest.MonkeyPatch) -> None:
    rate_hit(key="old", window=60, now=0.0)
    monkeypatch.setattr(ratelimit, "CLEANUP_SHARE", 1.0)
    rate_hit(key="new", window=60, now=10_000.0)
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


def test_recipient_keys_do_not_hold_the_address() -> None:
    key = address_key(" Ada@Example.org ")
    assert key == address_key("ada@example.org") and "ada" not in key and len(key) == 32
