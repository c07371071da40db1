"""The alerts email: one message per reader and period listing every email alert of theirs
with news, for readers whose digest does not carry their alerts.

A reader's alerts ride in their digest when the digest of the same frequency goes to them for
that period (a section per alert, see sending.py); otherwise they come in the period's ALERTS
edition. Only confirmed addresses get either: an account's address is not verified, so turning
on email for an alert asks the address to confirm first (digests.services.alerts_address_ensure).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from paperfeed.alerts.delivery import readers_with_news
from paperfeed.digests.editions import Prepared, edition_period, period_bounds
from paperfeed.digests.models import Delivery, Edition, Subscription
from paperfeed.papers.bulk import insert_rows

BATCH = 10_000
NO_NEWS = "no alert has news"


def alerts_edition_prepare(*, frequency: str, day: date) -> Prepared:
    """The ALERTS edition of the period holding `day`, with one delivery per reader who has news
    and whose digest of this period does not carry it. Safe to re-run: a later run adds the
    readers whose matches were found since (before the period's end), and nobody twice."""
    period = edition_period(frequency, day)
    _, until = period_bounds(period)
    targets = _addresses(
        frequency, period.start, readers_with_news(frequency=frequency, until=until)
    )
    edition = Edition.objects.filter(
        kind=Edition.ALERTS, frequency=frequency, period_start=period.start
    ).first()
    if edition is None and not targets:
        return Prepared(frequency, period, None, reason=NO_NEWS)
    created = False
    if edition is None:
        try:
            with transaction.atomic():
                edition = Edition.objects.create(
                    kind=Edition.ALERTS, frequency=frequency, period_start=period.start,
                    period_end=period.end, slug=period.slug, content={},
                )  # fmt: skip
                created = True
        except IntegrityError:  # another sender made it first
            edition = Edition.objects.get(
                kind=Edition.ALERTS, frequency=frequency, period_start=period.start
            )
    rows = [(edition.pk, sub_id, Delivery.PENDING, 0, "", "") for sub_id in targets]
    columns = ("edition_id", "subscription_id", "state", "attempts", "claimed_by", "error")
    count = 0
    for start in range(0, len(rows), BATCH):
        count += insert_rows(Delivery, columns, rows[start : start + BATCH], ignore_conflicts=True)
    return Prepared(frequency, period, edition, created=created, deliveries=count)


def _addresses(frequency: str, period_start: date, readers: set[int]) -> list[int]:
    """Each reader's confirmed address (their newest active subscription), unless the digest
    edition of the same frequency and period goes to it (that digest lists the alerts)."""
    if not readers:
        return []
    by_digest = set(
        Delivery.objects.filter(
            edition__kind=Edition.DIGEST,
            edition__frequency=frequency,
            edition__period_start=period_start,
        ).values_list("subscription_id", flat=True)
    )
    addresses: dict[int, int] = {}  # user -> their newest active subscription
    active = Subscription.objects.filter(
        user_id__in=list(readers),
        confirmed_at__isnull=False,
        unsubscribed_at__isnull=True,
        bounced_at__isnull=True,
    ).order_by("id")
    for sub_id, user_id in active.values_list("id", "user_id"):
        if user_id is not None:
            addresses[user_id] = sub_id
    return [sub_id for sub_id in addresses.values() if sub_id not in by_digest]
