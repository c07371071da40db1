"""Subscriptions (double opt-in), editions (one per frequency and period) and deliveries (one
per subscription and edition: the unit the sender claims, sends once and records)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

FREQUENCIES = ("daily", "weekly")
FREQUENCY_CHOICES = [("daily", "Daily"), ("weekly", "Weekly")]
# The kind of calendar period (paperfeed.lib.periods) that each frequency's edition covers.
PERIOD_KINDS = {"daily": "day", "weekly": "week"}


class Subscription(models.Model):
    """One address on the list. Active when confirmed, not unsubscribed and not cut off by hard
    bounces. `nonce` changes whenever a confirmation is requested or the address leaves, which
    voids every confirmation link sent before."""

    email = models.CharField(max_length=254)  # stored lower-cased; unique: see Meta
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_subscriptions",
    )
    frequency = models.CharField(max_length=10, choices=FREQUENCY_CHOICES, default="daily")
    categories = models.CharField(max_length=500, blank=True, default="")  # space-separated
    # False: a confirmed address for saved-search alerts only, which gets no digest edition.
    digest = models.BooleanField(default=True)
    nonce = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    confirm_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounces = models.PositiveIntegerField(default=0)  # consecutive hard bounces
    bounced_at = models.DateTimeField(null=True, blank=True)  # set: no more mail to it
    last_error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="digest_subscription_email_unique")
        ]
        indexes = [models.Index(fields=["frequency", "confirmed_at"], name="digest_sub_freq")]

    def __str__(self) -> str:
        return f"{self.email} ({self.frequency}, {self.status})"

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.bounced_at)

    @property
    def status(self) -> str:
        if self.bounced_at:
            return "bounced"
        if self.unsubscribed_at:
            return "unsubscribed"
        return "active" if self.confirmed_at else "unconfirmed"

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()


class Edition(models.Model):
    """The digest of one period for one frequency. `content` holds the shared part as composed
    (paper ids per section, upvotes at composing time), so that every sender and every re-run
    renders the same edition. An ALERTS edition has no shared part: each of its deliveries
    lists its reader's new alert matches (readers whose digest carries them get none)."""

    DIGEST, ALERTS = "digest", "alerts"
    KINDS = [(DIGEST, "digest"), (ALERTS, "alerts")]

    kind = models.CharField(max_length=10, choices=KINDS, default=DIGEST)
    frequency = models.CharField(max_length=10, choices=FREQUENCY_CHOICES)
    period_start = models.DateField()
    period_end = models.DateField()  # exclusive
    slug = models.CharField(max_length=20)  # 2026-03-14, 2026-W11
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "frequency", "period_start"], name="digest_edition_kind_period"
            )
        ]

    def __str__(self) -> str:
        prefix = "" if self.kind == self.DIGEST else f"{self.kind} "
        return f"{prefix}{self.frequency} {self.slug}"


class Delivery(models.Model):
    """One edition for one subscription. pending → claimed (by one sender, until `lease_until`)
    → sent | failed | skipped; a transient failure puts it back to pending with a later
    `next_attempt_at`."""

    PENDING, CLAIMED, SENT, FAILED, SKIPPED = "pending", "claimed", "sent", "failed", "skipped"
    STATES = [(s, s) for s in (PENDING, CLAIMED, SENT, FAILED, SKIPPED)]

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscription"], name="digest_delivery_unique"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="digest_delivery_due")]

    def __str__(self) -> str:
        return f"{self.edition} → {self.subscription_id}: {self.state}"
