"""Who is asking: the types of the site's users, and the check every write that needs an
account makes first."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

# Whoever a request comes from, as `request.user` holds it: a User (paperfeed's user model is
# Django's own auth.User; see models.py) or AnonymousUser.
AnyUser: TypeAlias = User | AnonymousUser


def require_login(user: AnyUser | None, message: str = "Log in to do that.") -> User:
    """`user`, typed as the User it is, when they are logged in; otherwise PermissionDenied
    with `message`, which people are shown (the pages' 403, the API's problem detail), so it
    says what they need to log in for."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(message)
    return user
