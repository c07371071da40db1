"""Sending deliveries: claimed atomically, sent over one reused SMTP connection (or into the
outbox; see transports.py), each recorded the moment the server has accepted it. See
docs/digests.md.

Exactly once. A delivery is claimed by one sender (`claimed_by`, until `lease_until`) in a
transaction that skips rows another sender has locked, and it is marked sent by an UPDATE that
commits right after the server's 250 reply, conditional on the claim still being ours. If a
sender dies, the rows it had claimed but not sent go back to pending: at once when it ran on
this host (its process is gone), else when its lease lapses. The one window left is a sender
killed between the server accepting a message and that UPDATE committing (one statement, well
under a millisecond): that one message is sent again on the next run, with the same Message-ID,
which lets mail systems recognise the copy. We chose this over the alternative (marking first,
sending second), which loses the message instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone

from paperfeed.alerts.delivery import (
    AlertSection,
    matches_claim,
    matches_release,
    matches_sent,
    readers_with_news,
    sections_of,
)
from paperfeed.digests.alert_rendering import AlertsRenderer, alert_parts
from paperfeed.digests.editions import edition_period, period_bounds
from paperfeed.digests.models import Delivery, Edition, Subscription
from paperfeed.digests.picks import PickCache, picks_for
from paperfeed.digests.rendering import DigestRenderer, message_id
from paperfeed.digests.tokens import unsubscribe_token
from paperfeed.digests.transports import (
    PermanentError,
    TransientError,
    Transport,
    Unreachable,
    transport_open,
)
from paperfeed.lib.claims import claimer_dead_here, claimer_id

log = logging.getLogger(__name__)

BATCH = 50  # deliveries claimed at once
FINISH_SQL = (
    f"UPDATE {Delivery._meta.db_table} SET state = %s, sent_at = %s, error = %s, "
    "attempts = attempts + 1, claimed_by = '', lease_until = NULL "
    f"WHERE id = %s AND claimed_by = %s AND state = '{Delivery.CLAIMED}'"
)
MAX_BACKOFF = 3600.0


class SendingStopped(Exception):
    """The mail server could not be reached several times in a row: the run stops, and every
    delivery it had not sent stays pending for the next run."""


UNREACHABLE_LIMIT = 3  # connection failures in a row before a run stops


@dataclass
class Summary:
    sent: int = 0
    skipped: int = 0  # unsubscribed or cut off since the edition was composed
    failed: int = 0  # refused for good, or out of attempts
    retried: int = 0  # transient failures, tried again later
    errors: list[str] = field(default_factory=list)


class Throttle:
    """At most `rate` messages a second (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next > now:
            time.sleep(self.next - now)
        self.next = max(self.next, now) + self.interval


class Sender:
    """Sends every due delivery (of the given editions, or of all) until none is left."""

    def __init__(
        self,
        *,
        transport: Transport | None = None,
        editions: list[int] | None = None,
        progress: Callable[[Summary], None] | None = None,
        wait: bool = True,
    ) -> None:
        self.transport = transport
        self.editions = editions
        self.progress = progress
        self.wait = wait
        self.me = claimer_id()
        self.summary = Summary()
        self.throttle = Throttle(settings.DIGEST_RATE)
        self.lease = timedelta(seconds=settings.DIGEST_LEASE_SECONDS)
        self.renderers: dict[int, DigestRenderer | AlertsRenderer] = {}
        self.news: dict[int, tuple[datetime, set[int]]] = {}  # edition -> (until, readers)
        self.unreachable = 0
        self.picks = PickCache()

    def run(self) -> Summary:
        if self.transport is None:
            with transport_open() as transport:
                self.transport = transport
                return self._run()
        return self._run()

    def due(self) -> int:
        return self._mine(
            Delivery.objects.filter(state__in=[Delivery.PENDING, Delivery.CLAIMED])
        ).count()

    def _run(self) -> Summary:
        while True:
            reclaim_stale()
            ids = self._claim()
            if ids:
                self._send_batch(ids)
                continue
            pause = self._next_retry_in()
            if pause is None or not self.wait:
                return self.summary
            time.sleep(min(pause, 60.0))

    def _mine(self, rows: QuerySet[Delivery]) -> QuerySet[Delivery]:
        return rows if self.editions is None else rows.filter(edition_id__in=self.editions)

    def _claim(self) -> list[int]:
        now = timezone.now()
        with transaction.atomic():
            due = self._mine(Delivery.objects.filter(state=Delivery.PENDING)).filter(
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
            )
            ids = list(
                due.select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", flat=True)[:BATCH]
            )
            if ids:
                Delivery.objects.filter(id__in=ids, state=Delivery.PENDING).update(
                    state=Delivery.CLAIMED, claimed_by=self.me, lease_until=now + self.lease
                )
        return ids

    def _next_retry_in(self) -> float | None:
        """Seconds until the earliest delivery waiting for a retry; None when none waits."""
        waiting = self._mine(Delivery.objects.filter(state=Delivery.PENDING))
        earliest: datetime | None = waiting.aggregate(at=Min("next_attempt_at"))["at"]
        if earliest is None:
            return None
        return max((earliest - timezone.now()).total_seconds(), 0.05)

    def _send_batch(self, ids: list[int]) -> None:
        rows = (
            Delivery.objects.filter(id__in=ids, claimed_by=self.me, state=Delivery.CLAIMED)
            .select_related("subscription", "subscription__user")
            .order_by("id")
        )
        renewed = time.monotonic()
        for delivery in rows:
            if time.monotonic() - renewed > self.lease.total_seconds() / 3:
                self._renew(ids)
                renewed = time.monotonic()
            try:
                self._send_one(delivery)
            except _Retry:  # the batch was given back; claim afresh
                return
            if self.progress:
                self.progress(self.summary)

    def _release(self) -> None:
        """Give back every delivery this sender holds and has not sent, untouched."""
        Delivery.objects.filter(claimed_by=self.me, state=Delivery.CLAIMED).update(
            state=Delivery.PENDING, claimed_by="", lease_until=None
        )

    def _renew(self, ids: list[int]) -> None:
        Delivery.objects.filter(id__in=ids, claimed_by=self.me, state=Delivery.CLAIMED).update(
            lease_until=timezone.now() + self.lease
        )

    def _send_one(self, delivery: Delivery) -> None:
        subscription = delivery.subscription
        key = f"d{delivery.pk}"  # the alert matches this message carries (alerts/delivery.py)
        if not subscription.is_active:
            self._finish(delivery, Delivery.SKIPPED, error=f"subscription {subscription.status}")
            matches_release(key=key)
            self.summary.skipped += 1
            return
        renderer = self._renderer(delivery.edition_id)
        sections = self._alert_sections(delivery, key)
        assert self.transport is not None
        eight_bit = self.transport.eight_bit
        if isinstance(renderer, AlertsRenderer):
            if not sections:  # nothing new since the edition was made: nothing to say
                self._finish(delivery, Delivery.SKIPPED, error="no alert news")
                self.summary.skipped += 1
                return
            msg_id = message_id(f"alerts.{delivery.edition_id}.{subscription.pk}")
            data = renderer.message(
                email=subscription.email, unsubscribe_url=_unsubscribe_url(subscription),
                sections=sections, msg_id=msg_id, eight_bit=eight_bit,
            )  # fmt: skip
        else:
            msg_id = message_id(f"digest.{delivery.edition_id}.{subscription.pk}")
            picks = picks_for(subscription=subscription, edition=renderer.edition, cache=self.picks)
            data = renderer.message(
                email=subscription.email,
                unsubscribe_url=_unsubscribe_url(subscription),
                picks=picks,
                alerts=alert_parts(sections, renderer.css),
                msg_id=msg_id,
                eight_bit=eight_bit,
            )
        self.throttle.wait()
        try:
            self.transport.send(subscription.email, data, key=msg_id, eight_bit=eight_bit)
        except Unreachable as exc:
            self._release()
            self.unreachable += 1
            if self.unreachable >= UNREACHABLE_LIMIT:
                raise SendingStopped(str(exc)) from exc
            time.sleep(min(settings.DIGEST_BACKOFF_SECONDS, 5.0) * self.unreachable)
            raise _Retry from exc
        except TransientError as exc:
            self._retry_later(delivery, str(exc))
        except PermanentError as exc:
            self._finish(delivery, Delivery.FAILED, error=str(exc))
            matches_release(key=key)
            self.summary.failed += 1
            self.summary.errors.append(f"{subscription.email}: {exc}")
            bounce_record(subscription=subscription, error=str(exc))
        else:
            self.unreachable = 0
            self._finish(delivery, Delivery.SENT)
            if sections:
                matches_sent(key=key, at=timezone.now())
            self.summary.sent += 1
            if subscription.bounces:
                Subscription.objects.filter(pk=subscription.pk).update(bounces=0, last_error="")

    def _finish(self, delivery: Delivery, state: str, *, error: str = "") -> None:
        """Record the outcome: one UPDATE, committed at once (autocommit), kept to plain SQL
        because it runs once per message."""
        sent_at = timezone.now() if state == Delivery.SENT else None
        with connection.cursor() as cursor:
            cursor.execute(FINISH_SQL, [state, sent_at, error[:2000], delivery.pk, self.me])
            changed = cursor.rowcount
        if not changed:  # our lease lapsed and another sender took it: it will decide
            log.warning("delivery %s was reclaimed while this sender held it", delivery.pk)

    def _retry_later(self, delivery: Delivery, error: str) -> None:
        attempts = delivery.attempts + 1
        if attempts >= settings.DIGEST_MAX_ATTEMPTS:
            self._finish(delivery, Delivery.FAILED, error=f"gave up after {attempts}: {error}")
            matches_release(key=f"d{delivery.pk}")
            self.summary.failed += 1
            self.summary.errors.append(f"{delivery.subscription.email}: {error}")
            return
        backoff = min(settings.DIGEST_BACKOFF_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF)
        Delivery.objects.filter(pk=delivery.pk, claimed_by=self.me).update(
            state=Delivery.PENDING, attempts=attempts, error=error[:2000], claimed_by="",
            lease_until=None, next_attempt_at=timezone.now() + timedelta(seconds=backoff),
        )  # fmt: skip
        self.summary.retried += 1

    def _renderer(self, edition_id: int) -> DigestRenderer | AlertsRenderer:
        renderer = self.renderers.get(edition_id)
        if renderer is None:
            edition = Edition.objects.get(pk=edition_id)
            kind = AlertsRenderer if edition.kind == Edition.ALERTS else DigestRenderer
            renderer = self.renderers[edition_id] = kind(edition)
        return renderer

    def _alert_sections(self, delivery: Delivery, key: str) -> list[AlertSection]:
        """The reader's alert news for this message: the matches of their email alerts of the
        edition's frequency found before its period ended, claimed the first time the message
        is built and read back on every later build."""
        user_id = delivery.subscription.user_id
        if user_id is None:
            return []
        edition = self._renderer(delivery.edition_id).edition
        if edition.pk not in self.news:  # who has news: one query per edition
            _, until = period_bounds(edition_period(edition.frequency, edition.period_start))
            self.news[edition.pk] = (until, readers_with_news(frequency=edition.frequency,
                                                               until=until))  # fmt: skip
        until, readers = self.news[edition.pk]
        if user_id in readers:
            matches_claim(key=key, user_id=user_id, frequency=edition.frequency, until=until)
        return sections_of(key=key)


class _Retry(Exception):
    pass


def bounce_record(*, subscription: Subscription, error: str) -> None:
    """A hard bounce; after PAPERFEED_DIGEST_MAX_BOUNCES in a row the address is cut off."""
    Subscription.objects.filter(pk=subscription.pk).update(
        bounces=F("bounces") + 1, last_error=error[:2000]
    )
    Subscription.objects.filter(
        pk=subscription.pk, bounces__gte=settings.DIGEST_MAX_BOUNCES, bounced_at__isnull=True
    ).update(bounced_at=timezone.now())


def reclaim_stale() -> int:
    """Put back to pending the deliveries claimed by a sender that is gone: one on this host
    whose process has exited, or any whose lease has lapsed."""
    claimed = Delivery.objects.filter(state=Delivery.CLAIMED)
    owners = set(claimed.values_list("claimed_by", flat=True).distinct())
    dead = [owner for owner in owners if claimer_dead_here(owner)]
    stale = claimed.filter(Q(lease_until__lt=timezone.now()) | Q(claimed_by__in=dead))
    return stale.update(state=Delivery.PENDING, claimed_by="", lease_until=None)


def _unsubscribe_url(subscription: Subscription) -> str:
    return f"{settings.SITE_URL}{_unsubscribe_prefix()}{unsubscribe_token(subscription.pk)}"


@lru_cache(maxsize=1)
def _unsubscribe_prefix() -> str:
    from django.urls import reverse

    return reverse("digest_unsubscribe", args=["T"])[:-1]
