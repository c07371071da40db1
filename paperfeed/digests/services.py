"""Subscribing (double opt-in), confirming, changing preferences and leaving.

Every answer to a subscribe request is the same whether the address is new, waiting for
confirmation, subscribed or gone: the person behind the address learns the rest from the
confirmation email, nobody else learns anything.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser
from paperfeed.accounts.ratelimit import address_key, rate_limit
from paperfeed.digests.forms import email_clean
from paperfeed.digests.models import FREQUENCIES, Subscription
from paperfeed.digests.rendering import absolute
from paperfeed.digests.tasks import confirmation_mail
from paperfeed.digests.tokens import (
    ConfirmRequest,
    TokenError,
    confirm_token,
    confirm_token_read,
    unsubscribe_token,
    unsubscribe_token_read,
)

User = get_user_model()
# One confirmation email per address per this long, however often the form is sent: the form
# cannot be used to flood someone's inbox.
CONFIRM_RESEND_AFTER = timedelta(minutes=5)
ALERTS_ONLY = "alerts"  # the confirmation email's wording for an alerts-only address
ADDRESS_READY, ADDRESS_ASKED, NO_ADDRESS = "ready", "asked", "no address"
ADDRESS_LIMITED = "limited"  # too many confirmation emails to the address this hour


class RecipientLimited(Exception):
    """The address was sent SUBSCRIBE_RECIPIENT_RATE confirmation emails in the past hour,
    whoever asked for them; `wait` is the seconds until it may get another."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"too many confirmation emails to this address; wait {wait:.0f} s")
        self.wait = wait


@dataclass(frozen=True)
class SubscribeOutcome:
    """What happened, for logs and tests; pages show the same message whatever it says."""

    subscription: Subscription
    mailed: bool


def subscription_request(
    *,
    email: str,
    frequency: str,
    categories: str = "",
    user: AnyUser | None = None,
    digest: bool = True,
) -> SubscribeOutcome:
    """Ask `email` to confirm a subscription (a cleaned address: see forms.email_clean), or,
    with digest=False, to confirm it for saved-search alerts only. Nothing about an existing
    subscription changes until the link is followed."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"'{frequency}' is not a frequency (use daily or weekly)")
    now = timezone.now()
    with transaction.atomic():
        subscription = _get_or_create(email)
        recent = subscription.confirm_sent_at and now - subscription.confirm_sent_at < (
            CONFIRM_RESEND_AFTER
        )
        if recent:
            return SubscribeOutcome(subscription, mailed=False)
        # Counted in this transaction: a refused request rolls its count back, so the counter
        # holds the emails actually sent this hour.
        key = f"subscribe-to:{address_key(subscription.email)}"
        wait = rate_limit(key=key, limit=settings.SUBSCRIBE_RECIPIENT_RATE, window=3600)
        if wait is not None:
            raise RecipientLimited(wait)
        if not subscription.nonce:
            subscription.nonce = secrets.token_hex(8)
        subscription.confirm_sent_at = now
        subscription.save(update_fields=["nonce", "confirm_sent_at"])
    owner = user if user is not None and user.is_authenticated else None
    linked = owner is not None and (owner.email or "").lower() == subscription.email
    owner_id = owner.pk if owner is not None and linked else None
    token = confirm_token(
        ConfirmRequest(subscription.pk, subscription.nonce, frequency, categories, owner_id, digest)
    )
    # Queued, so that the request never waits for (or fails with) the mail server.
    purpose = frequency if digest else ALERTS_ONLY
    confirmation_mail.enqueue(subscription_id=subscription.pk, token=token, frequency=purpose)
    return SubscribeOutcome(subscription, mailed=True)


def subscription_confirm(*, token: str) -> Subscription:
    """Apply a confirmation link: the subscription becomes active with the frequency and
    categories asked for. Following a link twice is harmless; TokenError for a bad one."""
    request = confirm_token_read(token)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(pk=request.subscription_id).first()
        )
        if subscription is None or not secrets.compare_digest(subscription.nonce, request.nonce):
            raise TokenError("This confirmation link is no longer valid. Subscribe again.")
        if request.frequency not in FREQUENCIES:
            raise TokenError("This confirmation link is not valid.")
        now = timezone.now()
        # An address confirmed for alerts keeps the digest it already gets, and its choices.
        keep_digest = not request.digest and subscription.is_active and subscription.digest
        if not subscription.is_active:
            subscription.confirmed_at = now
        subscription.unsubscribed_at = None
        subscription.bounced_at = None
        subscription.bounces = 0
        if not keep_digest:
            subscription.digest = request.digest
            subscription.frequency = request.frequency
            subscription.categories = request.categories
        if request.user_id is not None and User.objects.filter(pk=request.user_id).exists():
            subscription.user_id = request.user_id
        subscription.save()
    return subscription


def subscription_unsubscribe(*, token: str) -> Subscription:
    """Leave at once (a link in a digest, or a one-click POST). TokenError for a bad token;
    leaving twice is harmless. The nonce changes, voiding older confirmation links."""
    subscription_id = unsubscribe_token_read(token)
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise TokenError("This unsubscribe link is not valid.")
    return subscription_leave(subscription=subscription)


def alerts_address_ensure(*, user: AnyUser | None) -> str:
    """Before alerts are emailed, the account's address must be confirmed (account addresses
    are not verified): ADDRESS_READY when a confirmed subscription is linked to the account,
    ADDRESS_ASKED when a confirmation link was sent (or recently was), NO_ADDRESS without one,
    ADDRESS_LIMITED when the address had its hour's confirmation emails (ask again later)."""
    current = subscription_of(user=user)
    if current is not None and current.is_active:
        return ADDRESS_READY
    assert user is not None and user.is_authenticated
    try:
        email = email_clean(user.email or "")
    except ValidationError:
        return NO_ADDRESS
    try:
        subscription_request(email=email, frequency="daily", user=user, digest=False)
    except RecipientLimited:
        return ADDRESS_LIMITED
    return ADDRESS_ASKED


def subscription_leave(*, subscription: Subscription) -> Subscription:
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.nonce = secrets.token_hex(8)
        subscription.confirm_sent_at = None
        subscription.save(update_fields=["unsubscribed_at", "nonce", "confirm_sent_at"])
    return subscription


def subscription_update(*, subscription: Subscription, frequency: str, categories: str) -> None:
    """A logged-in owner changing an active subscription (their session proves who they
    are, so no confirmation is needed)."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"'{frequency}' is not a frequency (use daily or weekly)")
    subscription.frequency = frequency
    subscription.categories = categories
    subscription.save(update_fields=["frequency", "categories"])


def subscription_of(*, user: AnyUser | None) -> Subscription | None:
    """The subscription a logged-in user manages: only one linked to the account, which
    happens when its confirmation link (sent to the address) is followed while logged in.
    Account addresses are not verified, so an address alone proves nothing."""
    if user is None or not user.is_authenticated:
        return None
    return Subscription.objects.filter(user=user).order_by("-id").first()


def unsubscribe_url(subscription: Subscription) -> str:
    return absolute(reverse("digest_unsubscribe", args=[unsubscribe_token(subscription.pk)]))


def _get_or_create(email: str) -> Subscription:
    found = Subscription.objects.select_for_update().filter(email=email).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Subscription.objects.create(email=email, nonce=secrets.token_hex(8))
    except IntegrityError:  # the same address sent twice at once
        return Subscription.objects.select_for_update().get(email=email)
