"""Community actions: upvotes, library, submissions and comments; login, CSRF and htmx."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from paperfeed.accounts.models import LibraryEntry
from paperfeed.community.models import Comment, Featured, Vote
from paperfeed.community.services import comment_create
from tests.support import recorded_atom
from tests.support.replay import ReplayServer, Reply
from tests.web.conftest import HTMX, MODEL_BACKEND, World, make_paper

pytestmark = pytest.mark.django_db

PAPER = "/papers/2603.00001"


# Upvotes ------------------------------------------------------------------------------------


def test_an_upvote_without_javascript_redirects_back(member: Client, world: World) -> None:
    page = member.post(f"{PAPER}/vote", {"on": "1", "next": "/papers/date/2026-03-14"})
    assert page.status_code == 302 and page["Location"] == "/papers/date/2026-03-14"
    assert Vote.objects.filter(paper=world.papers["2603.00001"]).count() == 1
    html = member.get("/papers/date/2026-03-14").content.decode()
    assert 'class="vote voted"' in html and '<span class="count">8</span>' in html


def test_a_double_vote_counts_once_and_a_second_form_removes_it(
    member: Client, world: World
) -> None:
    member.post(f"{PAPER}/vote", {"on": "1"})
    member.post(f"{PAPER}/vote", {"on": "1"})  # a double click, or a second tab
    assert Vote.objects.count() == 1
    member.post(f"{PAPER}/vote", {"on": "0"})
    assert Vote.objects.count() == 0


def test_an_htmx_upvote_returns_the_button(member: Client, world: World) -> None:
    page = member.post(f"{PAPER}/vote", {"on": "1", "next": "/"}, **HTMX)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.lstrip().startswith('<form class="vote voted"')
    assert '<span class="count">8</span>' in html and 'aria-pressed="true"' in html
    assert 'name="on" value="0"' in html and 'name="next" value="/"' in html
    assert "<html" not in html


def test_a_vote_without_login_goes_to_the_login_page(client: Client, world: World) -> None:
    page = client.post(f"{PAPER}/vote", {"on": "1", "next": "/papers/date/2026-03-14"})
    assert page.status_code == 302
    assert page["Location"] == "/accounts/login/?next=%2Fpapers%2Fdate%2F2026-03-14"
    htmx = client.post(
        f"{PAPER}/vote", {"on": "1"}, HTTP_REFERER="http://testserver/?sort=votes", **HTMX
    )
    assert (
        htmx.status_code == 403
        and htmx["HX-Redirect"] == "/accounts/login/?next=%2F%3Fsort%3Dvotes"
    )
    assert not Vote.objects.exists()


def test_votes_are_post_only_and_unknown_papers_are_404(member: Client, world: World) -> None:
    assert member.get(f"{PAPER}/vote").status_code == 405
    assert member.post("/papers/2603.99999/vote", {"on": "1"}).status_code == 404


def test_a_redirect_back_never_leaves_the_site(member: Client, world: World) -> None:
    page = member.post(f"{PAPER}/vote", {"on": "1", "next": "https://evil.example/"})
    assert page["Location"] == PAPER


def test_old_style_ids_can_be_voted_on(member: Client, world: World) -> None:
    page = member.post("/papers/hep-th/9901001/vote", {"on": "1"})
    assert page.status_code == 302 and page["Location"] == "/papers/hep-th/9901001"
    assert Vote.objects.filter(paper=world.papers["hep-th/9901001"]).exists()


# CSRF -------------------------------------------------------------------------------------


def test_posts_need_the_csrf_token(user: User, world: World) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user, backend=MODEL_BACKEND)
    assert strict.post(f"{PAPER}/vote", {"on": "1"}).status_code == 403
    assert strict.post(f"{PAPER}/comments", {"body": "hi"}).status_code == 403
    assert strict.post("/submit", {"paper": "2603.00003"}).status_code == 403
    assert not Vote.objects.exists() and not Comment.objects.exists()
    # With the token from a page (as a form field, or as htmx's header), it goes through.
    strict.get(PAPER)
    token = strict.cookies["csrftoken"].value
    assert (
        strict.post(f"{PAPER}/vote", {"on": "1", "csrfmiddlewaretoken": token}).status_code == 302
    )
    htmx = strict.post(f"{PAPER}/vote", {"on": "0"}, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert htmx.status_code == 200


def test_pages_carry_the_csrf_token_for_htmx(member: Client, world: World) -> None:
    html = member.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert 'src="/static/web/htmx.min.js"' in html


# Library ----------------------------------------------------------------------------------


def test_the_library_button_adds_and_removes(member: Client, user: User, world: World) -> None:
    page = member.post(f"{PAPER}/library", {"on": "1"}, follow=True)
    assert "Added to your library." in page.content.decode()
    assert LibraryEntry.objects.filter(user=user).count() == 1
    assert "★ In your library" in member.get(PAPER).content.decode()
    htmx = member.post(f"{PAPER}/library", {"on": "0"}, **HTMX)
    assert "☆ Add to library" in htmx.content.decode() and "<html" not in htmx.content.decode()
    assert not LibraryEntry.objects.exists()


def test_the_library_needs_a_login(client: Client, world: World) -> None:
    assert client.post(f"{PAPER}/library", {"on": "1"}).status_code == 302
    assert not LibraryEntry.objects.exists()


# Submissions ------------------------------------------------------------------------------


def test_submitting_a_stored_paper_features_it_today(
    member: Client, user: User, world: World
) -> None:
    make_paper("2603.00010", published=date(2026, 3, 11), title="A fresh paper")
    assert "Submit a paper" in member.get("/submit").content.decode()
    page = member.post("/submit", {"paper": "https://arxiv.org/abs/2603.00010v1"})
    assert page.status_code == 302 and page["Location"] == "/papers/2603.00010"
    featured = Featured.objects.get(paper__arxiv_id="2603.00010")
    assert featured.featured_on == date(2026, 3, 14) and featured.submitted_by == "ada"
    html = member.get(page["Location"]).content.decode()
    assert "Thank you! The paper is on the list of 14 March." in html
    assert "A fresh paper" in member.get("/").content.decode()


def test_submitting_fetches_a_new_paper_from_arxiv(
    member: Client, world: World, replay_server: ReplayServer, settings: Settings
) -> None:
    settings.ARXIV_API_URL = f"{replay_server.url}/api/query"
    settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS = 100_000  # the recorded paper is from 2021
    body = str(recorded_atom("id_2104.12255v1_s0_m100_6ae69987ffe1")["body"])
    replay_server.add("/api/query", None, Reply(200, body))
    page = member.post("/submit", {"paper": "2104.12255v1"})
    assert page.status_code == 302 and page["Location"] == "/papers/2104.12255"
    assert Featured.objects.filter(paper__arxiv_id="2104.12255").exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("not an id", "is not an arXiv id or URL"),
        ("2603.00001", "was already featured on 14 March 2026"),
        ("hep-th/9901001", "only papers from the last"),
    ],
)
def test_submission_errors_are_shown_on_the_form(
    member: Client, world: World, typed: str, message: str
) -> None:
    page = member.post("/submit", {"paper": typed})
    assert page.status_code == 200
    assert message in page.content.decode()


def test_submitting_needs_a_login(client: Client, world: World) -> None:
    page = client.get("/submit")
    assert page.status_code == 302 and page["Location"] == "/accounts/login/?next=/submit"
    assert client.post("/submit", {"paper": "2603.00003"}).status_code == 302
    assert not Featured.objects.filter(submitted_by="").exists()


# Comments ---------------------------------------------------------------------------------


def test_a_comment_is_markdown_and_a_script_is_inert(member: Client, world: World) -> None:
    body = "Great **paper**!\n\n<script>alert('x')</script> <img src=x onerror=alert(1)>"
    page = member.post(f"{PAPER}/comments", {"body": body})
    comment = Comment.objects.get()
    assert page["Location"] == f"{PAPER}#comment-{comment.pk}"
    html = member.get(PAPER).content.decode()
    assert "<strong>paper</strong>" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html  # shown as text


def test_an_empty_or_huge_comment_says_why(member: Client, world: World) -> None:
    empty = member.post(f"{PAPER}/comments", {"body": "   "}, follow=True)
    assert "cannot be empty" in empty.content.decode()
    huge = member.post(f"{PAPER}/comments", {"body": "x" * 10_001}, follow=True)
    assert "the limit is 10,000" in huge.content.decode()
    assert not Comment.objects.exists()


def test_comments_without_login_go_to_the_login_page(client: Client, world: World) -> None:
    assert client.post(f"{PAPER}/comments", {"body": "hi"}).status_code == 302
    assert not Comment.objects.exists()


def test_authors_edit_and_delete_their_comments(member: Client, user: User, world: World) -> None:
    comment = comment_create(user=user, paper=world.papers["2603.00001"], body="first")
    assert "Edit" in member.get(PAPER).content.decode()
    form = member.get(f"/comments/{comment.pk}/edit")
    assert form.status_code == 200 and "first" in form.content.decode()
    saved = member.post(f"/comments/{comment.pk}/edit", {"body": "second _take_"})
    assert saved["Location"] == f"{PAPER}#comment-{comment.pk}"
    html = member.get(PAPER).content.decode()
    assert "<em>take</em>" in html and "(edited)" in html
    assert member.post(f"/comments/{comment.pk}/delete").status_code == 302
    assert not Comment.objects.exists()


def test_others_cannot_edit_delete_or_hide_a_comment(
    client: Client, user: User, make_user: object, world: World
) -> None:
    comment = comment_create(user=user, paper=world.papers["2603.00001"], body="mine")
    other = make_user("mallory")  # type: ignore[operator]
    client.force_login(other, backend=MODEL_BACKEND)
    assert "Edit</a>" not in client.get(PAPER).content.decode()
    assert client.get(f"/comments/{comment.pk}/edit").status_code == 403
    assert client.post(f"/comments/{comment.pk}/edit", {"body": "yours"}).status_code == 403
    assert client.post(f"/comments/{comment.pk}/delete").status_code == 403
    assert client.post(f"/comments/{comment.pk}/hide", {"on": "1"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "mine" and not comment.hidden
    assert client.post("/comments/999999/delete").status_code == 404


def test_moderators_hide_and_unhide_comments(
    client: Client, user: User, moderator: User, world: World
) -> None:
    comment = comment_create(user=user, paper=world.papers["2603.00001"], body="rude words")
    client.force_login(moderator, backend=MODEL_BACKEND)
    assert ">Hide</button>" in client.get(PAPER).content.decode()
    client.post(f"/comments/{comment.pk}/hide", {"on": "1"})
    html = client.get(PAPER).content.decode()
    assert "hidden by a moderator" in html and "rude words" in html  # moderators still see it
    client.logout()
    assert "rude words" not in client.get(PAPER).content.decode()
    client.force_login(moderator, backend=MODEL_BACKEND)
    client.post(f"/comments/{comment.pk}/hide", {"on": "0"})
    client.logout()
    assert "rude words" in client.get(PAPER).content.decode()
