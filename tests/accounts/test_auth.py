"""require_login: the check every write that needs an account makes first."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from paperfeed.accounts.auth import require_login

pytestmark = pytest.mark.django_db


def test_a_logged_in_user_is_returned_as_they_are(user: User) -> None:
    assert require_login(user, "Log in to comment.") is user


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_anyone_else_is_refused_with_the_callers_message(nobody: AnonymousUser | None) -> None:
    with pytest.raises(PermissionDenied) as refused:
        require_login(nobody, "Log in to comment.")
    assert str(refused.value) == "Log in to comment."
    with pytest.raises(PermissionDenied, match="^Log in to do that.$"):
        require_login(nobody)
