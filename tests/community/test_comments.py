"""Comments: written in Markdown, edited and deleted by their author, hidden by moderators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from paperfeed.community.models import Comment, Featured
from paperfeed.community.services import (
    CommentError,
    comment_create,
    comment_delete,
    comment_edit,
    comment_hide,
    is_moderator,
)
from tests.community.factories import feature, make_paper

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 12, tzinfo=UTC)


@pytest.fixture
def other(make_user: Callable[..., User]) -> User:
    return make_user("grace")


def test_a_comment_is_stored_with_its_sanitised_html(user: User) -> None:
    paper = make_paper("2603.00001")
    with time_machine.travel(NOW, tick=False):
        comment = comment_create(user=user, paper=paper, body="  **Great** <script>x</script>\n")
    assert comment.body == "**Great** <script>x</script>"
    assert comment.body_html == "<p><strong>Great</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
    assert (comment.author, comment.paper, comment.created_at) == (user, paper, NOW)
    assert comment.edited_at is None and not comment.hidden


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "cannot be empty"), (" \n\t ", "cannot be empty"), ("x" * 10_001, "the limit is 10,000")],
)
def test_empty_or_huge_comments_are_refused(user: User, body: str, message: str) -> None:
    with pytest.raises(CommentError, match=message):
        comment_create(user=user, paper=make_paper("2603.00001"), body=body)
    assert Comment.objects.count() == 0


def test_a_comment_of_exactly_the_limit_is_accepted(user: User) -> None:
    comment = comment_create(user=user, paper=make_paper("2603.00001"), body="x" * 10_000)
    assert len(comment.body) == 10_000


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_anonymous_people_cannot_comment(nobody: AnonymousUser | None) -> None:
    with pytest.raises(PermissionDenied, match="Log in to comment"):
        comment_create(user=nobody, paper=make_paper("2603.00001"), body="hi")


def test_only_the_author_edits_a_comment(user: User, other: User) -> None:
    comment = comment_create(user=user, paper=make_paper("2603.00001"), body="frist")
    with pytest.raises(PermissionDenied, match="Only its author"):
        comment_edit(user=other, comment=comment, body="defaced")
    staff = User.objects.create_user("boss", is_staff=True)
    with pytest.raises(PermissionDenied):  # not even a moderator
        comment_edit(user=staff, comment=comment, body="defaced")
    with time_machine.travel(NOW, tick=False):
        edited = comment_edit(user=user, comment=comment, body="*first*")
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.body, stored.body_html) == ("*first*", "<p><em>first</em></p>\n")
    assert edited.edited_at == stored.edited_at == NOW
    with pytest.raises(CommentError):
        comment_edit(user=user, comment=comment, body="")


def test_the_author_or_a_moderator_deletes_a_comment(
    user: User, other: User, moderator: User
) -> None:
    paper = make_paper("2603.00001")
    first = comment_create(user=user, paper=paper, body="one")
    second = comment_create(user=user, paper=paper, body="two")
    with pytest.raises(PermissionDenied, match="author or a moderator"):
        comment_delete(user=other, comment=first)
    comment_delete(user=user, comment=first)
    comment_delete(user=moderator, comment=second)
    assert Comment.objects.count() == 0


def test_only_moderators_hide_and_unhide(user: User, other: User, moderator: User) -> None:
    comment = comment_create(user=user, paper=make_paper("2603.00001"), body="spam")
    for person in (user, other, None):
        with pytest.raises(PermissionDenied):
            comment_hide(user=person, comment=comment, hidden=True)
    hidden = comment_hide(user=moderator, comment=comment, hidden=True)
    assert (hidden.hidden, hidden.hidden_by) == (True, moderator)
    shown = comment_hide(user=moderator, comment=comment, hidden=False)
    assert (shown.hidden, shown.hidden_by) == (False, None)
    assert not Comment.objects.get().hidden


def test_staff_and_holders_of_the_permission_are_moderators(
    user: User, moderator: User, make_user: Callable[..., User]
) -> None:
    assert is_moderator(moderator)
    assert is_moderator(make_user(is_staff=True))
    assert not is_moderator(user)
    assert not is_moderator(AnonymousUser())
    assert not is_moderator(None)


def test_a_featured_papers_comment_count_follows_visible_comments(
    user: User, moderator: User
) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14), comments=4)

    def count() -> tuple[int, int]:
        row = Featured.objects.get(paper=paper)
        return row.comment_count, row.comments_total

    first = comment_create(user=user, paper=paper, body="one")
    second = comment_create(user=user, paper=paper, body="two")
    assert count() == (2, 6)
    comment_hide(user=moderator, comment=first, hidden=True)
    assert count() == (1, 5)
    comment_delete(user=user, comment=second)
    assert count() == (0, 4)
    comment_hide(user=moderator, comment=first, hidden=False)
    assert count() == (1, 5)
