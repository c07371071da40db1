"""Editions: which period a digest covers, what it lists, and one delivery per subscriber.

A daily edition covers a day in the site's time zone (PAPERFEED_TIME_ZONE), a weekly one an
ISO week (Monday to Sunday). By default `digest send` composes the last complete period:
yesterday, or last week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from paperfeed.community.selectors import daily_papers, trending
from paperfeed.digests.models import PERIOD_KINDS, Delivery, Edition, Subscription
from paperfeed.lib.periods import Period, period_of

# How many papers each section lists.
TOP = {"daily": 10, "weekly": 15}
TRENDING = 5
NO_PAPERS = "no papers in this period"


@dataclass(frozen=True)
class Prepared:
    frequency: str
    period: Period
    edition: Edition | None  # None: not sent (see `reason`)
    created: bool = False
    deliveries: int = 0  # created by this call
    reason: str = ""


def default_day(frequency: str, *, now: datetime | None = None) -> date:
    """A day in the last complete period: yesterday, or a day of last week."""
    today = timezone.localdate(now or timezone.now())
    return today - timedelta(days=1 if frequency == "daily" else 7)


def edition_period(frequency: str, day: date) -> Period:
    return period_of(PERIOD_KINDS[frequency], day)


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as aware datetimes in the site's time zone: [start, end)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(period.start, time(), zone),
        datetime.combine(period.end, time(), zone),
    )


def edition_content(frequency: str, period: Period) -> dict[str, list[dict[str, object]]]:
    """The shared part: the period's most upvoted featured papers, then the papers trending at
    its end that the first list does not already hold."""
    _, end = period_bounds(period)
    top = daily_papers(period=period, sort="votes")[: TOP[frequency]]
    listed = {entry.paper.pk for entry in top}
    window = "day" if frequency == "daily" else "week"
    rising = [
        entry
        for entry in trending(window=window, now=end - timedelta(seconds=1), limit=TRENDING * 3)
        if entry.paper.pk not in listed
    ][:TRENDING]

    def rows(entries: list) -> list[dict[str, object]]:  # type: ignore[type-arg]
        return [{"id": e.paper.pk, "upvotes": e.upvotes, "comments": e.comments} for e in entries]

    return {"top": rows(top), "trending": rows(rising)}


def edition_prepare(*, frequency: str, day: date) -> Prepared:
    """The edition of the period holding `day`, composed and given one delivery per active
    subscriber the first time; later calls find it as it was. Not created (and so not sent)
    for a weekend day when PAPERFEED_DIGEST_WEEKDAYS_ONLY is on, or when it would list nothing
    and PAPERFEED_DIGEST_SKIP_EMPTY is on."""
    period = edition_period(frequency, day)
    existing = Edition.objects.filter(
        kind=Edition.DIGEST, frequency=frequency, period_start=period.start
    ).first()
    if existing is not None:
        return Prepared(frequency, period, existing)
    if frequency == "daily" and settings.DIGEST_WEEKDAYS_ONLY and period.start.weekday() >= 5:
        return Prepared(frequency, period, None, reason="weekend (weekdays only)")
    content = edition_content(frequency, period)
    if settings.DIGEST_SKIP_EMPTY and not (content["top"] or content["trending"]):
        return Prepared(frequency, period, None, reason=NO_PAPERS)
    try:
        with transaction.atomic():
            edition = Edition.objects.create(
                frequency=frequency, period_start=period.start, period_end=period.end,
                slug=period.slug, content=content,
            )  # fmt: skip
            count = deliveries_create(edition=edition)
    except IntegrityError:  # another sender composed it first
        edition = Edition.objects.get(
            kind=Edition.DIGEST, frequency=frequency, period_start=period.start
        )
        return Prepared(frequency, period, edition)
    return Prepared(frequency, period, edition, created=True, deliveries=count)


def deliveries_create(*, edition: Edition) -> int:
    """One pending delivery per active digest subscriber of the edition's frequency, in one
    INSERT ... SELECT; the unique (edition, subscription) pair makes a repeat a no-op."""
    d, s = Delivery._meta.db_table, Subscription._meta.db_table
    sql = (
        f"INSERT INTO {d} (edition_id, subscription_id, state, attempts, claimed_by, error) "
        f"SELECT %s, id, %s, 0, '', '' FROM {s} WHERE frequency = %s "
        "AND digest = %s "
        "AND confirmed_at IS NOT NULL AND unsubscribed_at IS NULL AND bounced_at IS NULL "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [edition.pk, Delivery.PENDING, edition.frequency, True])
        return max(int(cursor.rowcount), 0)
