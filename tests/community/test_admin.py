"""The admin: community and accounts models are registered; moderators hide comments there."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.services import library_set, saved_search_save
from paperfeed.community.models import Comment, Featured
from paperfeed.community.services import comment_create, vote_set
from tests.community.factories import feature, make_paper

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["community/featured", "community/vote", "community/comment", "accounts/libraryentry",
     "accounts/savedsearch"],
)  # fmt: skip
def test_each_model_has_an_admin_list(admin_client: Client, user: User, model: str) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14))
    vote_set(user=user, paper=paper, on=True)
    comment_create(user=user, paper=paper, body="hello")
    library_set(user=user, paper=paper, on=True)
    saved_search_save(user=user, query="diffusion")
    response = admin_client.get(f"/admin/{model}/")
    assert response.status_code == 200
    assert b"0 of 1 selected" in response.content or b"1 result" in response.content


def test_admin_actions_hide_and_unhide_comments(admin_client: Client, user: User) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14))
    comments = [comment_create(user=user, paper=paper, body=f"spam {n}") for n in range(2)]
    ids = [str(c.pk) for c in comments]
    response = admin_client.post(
        "/admin/community/comment/", {"action": "hide_comments", "_selected_action": ids}
    )
    assert response.status_code == 302
    admin = User.objects.get(username="admin")
    assert set(Comment.objects.values_list("hidden", "hidden_by")) == {(True, admin.pk)}
    assert Featured.objects.get().comment_count == 0
    admin_client.post(
        "/admin/community/comment/", {"action": "unhide_comments", "_selected_action": ids}
    )
    assert set(Comment.objects.values_list("hidden", "hidden_by")) == {(False, None)}
    assert Featured.objects.get().comment_count == 2


def test_deleting_a_vote_in_the_admin_updates_the_count(admin_client: Client, user: User) -> None:
    paper = make_paper("2603.00001")
    feature(paper, date(2026, 3, 14), upvotes=3)
    vote_set(user=user, paper=paper, on=True)
    vote = paper.votes.get()
    response = admin_client.post(f"/admin/community/vote/{vote.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Featured.objects.get().upvotes == 3
