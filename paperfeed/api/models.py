"""Rate-limit counters, in the database so that every server process and host shares them."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Requests counted for one key (a scope and a token, user or address) in one fixed
    window; see throttling.py."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()  # Unix time, a multiple of the window's length
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.hits}"
