"""Personal API tokens: create (shown once), revoke, and find the user a token belongs to."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.accounts.models import ApiToken

PREFIX = "pf_"
MAX_TOKENS = 20  # live tokens per user
# last_used_at is written at most this often per token, so that a busy script does not turn
# every request into a database write.
LAST_USED_PRECISION = timedelta(minutes=5)
LOGIN_NEEDED = "Log in to manage API tokens."


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the token itself: show it once, it is not stored


class TokenError(ValueError):
    """A token cannot be created; the message says why."""


def api_token_create(*, user: AnyUser | None, name: str) -> NewToken:
    """A new token for `user`, named `name` (trimmed; required)."""
    user = require_login(user, LOGIN_NEEDED)
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Give the token a name, e.g. the script or machine that will use it.")
    if len(name) > ApiToken.MAX_NAME_LENGTH:
        raise TokenError(f"A token name can be at most {ApiToken.MAX_NAME_LENGTH} characters.")
    if api_tokens(user=user).count() >= MAX_TOKENS:
        raise TokenError(f"You already have {MAX_TOKENS} tokens; revoke one first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(PREFIX) + 6], digest=_digest(secret)
    )
    return NewToken(token=token, secret=secret)


def api_token_revoke(*, user: AnyUser | None, token_id: int) -> None:
    """Revoke one of the user's tokens; from then on it is refused. Raises
    ApiToken.DoesNotExist for an unknown token and PermissionDenied for someone else's."""
    user = require_login(user, LOGIN_NEEDED)
    token = ApiToken.objects.get(id=token_id)
    if token.user_id != user.pk:
        raise PermissionDenied("That token belongs to someone else.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_tokens(*, user: AnyUser | None) -> QuerySet[ApiToken]:
    """The user's live (not revoked) tokens, newest first."""
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def api_token_user(*, secret: str) -> User | None:
    """The active user a live token belongs to, or None (unknown, revoked, inactive user)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
