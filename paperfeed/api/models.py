"""The rate-limit counter moved to paperfeed/accounts (models.RateCounter, ratelimit.py), where
the website can count with it too; its table is still `api_ratecounter`. Re-exported for code
that imported it from here."""

from __future__ import annotations

from paperfeed.accounts.models import RateCounter

__all__ = ["RateCounter"]
