"""Signed tokens for the links in emails (django.core.signing with a salt per purpose).

A confirmation token carries what the person asked for (frequency, categories) and the
subscription's nonce, and expires after PAPERFEED_DIGEST_CONFIRM_DAYS: nothing changes until it
is used, and a newer request or leaving voids it. An unsubscribe token never expires: a digest
read a year later must still let its reader leave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "paperfeed.digests.confirm"
UNSUBSCRIBE_SALT = "paperfeed.digests.unsubscribe"


class TokenError(ValueError):
    """A token that is forged, damaged or expired; the message says which, for people."""


@dataclass(frozen=True)
class ConfirmRequest:
    subscription_id: int
    nonce: str
    frequency: str
    categories: str
    user_id: int | None
    digest: bool = True  # False: confirming an address for saved-search alerts only


def confirm_token(request: ConfirmRequest) -> str:
    payload = {
        "s": request.subscription_id,
        "n": request.nonce,
        "f": request.frequency,
        "c": request.categories,
        "u": request.user_id,
        "d": int(request.digest),
    }
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def confirm_token_read(token: str) -> ConfirmRequest:
    max_age = timedelta(days=settings.DIGEST_CONFIRM_DAYS)
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError("This confirmation link has expired. Subscribe again.") from None
    except signing.BadSignature:
        raise TokenError("This confirmation link is not valid.") from None
    try:
        return ConfirmRequest(int(data["s"]), str(data["n"]), str(data["f"]), str(data["c"]),
                              None if data["u"] is None else int(data["u"]),
                              bool(data.get("d", 1)))  # fmt: skip
    except (KeyError, TypeError, ValueError):
        raise TokenError("This confirmation link is not valid.") from None


def unsubscribe_token(subscription_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def unsubscribe_token_read(token: str) -> int:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        return int(value)
    except (signing.BadSignature, ValueError):
        raise TokenError("This unsubscribe link is not valid.") from None
