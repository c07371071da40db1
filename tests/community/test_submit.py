"""Submitting a paper by arXiv id or URL to feature it on today's list."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from pytest_django.fixtures import Settings

from paperfeed.community.models import Featured
from paperfeed.community.selectors import user_submissions
from paperfeed.community.services import SubmitError, paper_submit, vote_set
from paperfeed.papers.models import Paper
from tests.community.factories import feature, make_paper
from tests.support import recorded_atom
from tests.support.replay import ReplayServer, Reply

pytestmark = pytest.mark.django_db

HEAT_BATH = "id_1605.08386_s0_m100_199195aa31ad"  # published 2016-05-26
NOT_FOUND = "id_0000.0000_s0_m100_8b51d9633a68"  # arXiv's empty answer


@pytest.fixture
def arxiv(replay_server: ReplayServer, settings: Settings) -> ReplayServer:
    settings.ARXIV_API_URL = f"{replay_server.url}/api/query"
    return replay_server


def answer(server: ReplayServer, name: str) -> None:
    server.add("/api/query", None, Reply(200, str(recorded_atom(name)["body"])))


def test_a_new_paper_is_fetched_and_featured_today(arxiv: ReplayServer, user: User) -> None:
    answer(arxiv, HEAT_BATH)
    featured = paper_submit(
        user=user, text="https://arxiv.org/abs/1605.08386v1", today=date(2016, 6, 1)
    )
    assert arxiv.requests[0].query["id_list"] == "1605.08386"
    assert featured.paper.title == "Heat-bath random walks with Markov bases"
    assert featured.paper.source == "arxiv-api"
    assert (featured.featured_on, featured.submitted_by) == (date(2016, 6, 1), "ada")
    assert featured.submitted_user == user
    assert featured.source == "submitted"
    assert list(user_submissions(user=user)) == [featured]


def test_a_stored_paper_is_not_fetched_again(arxiv: ReplayServer, user: User) -> None:
    make_paper("2603.00001", published=date(2026, 3, 10))
    featured = paper_submit(user=user, text="arXiv:2603.00001v2", today=date(2026, 3, 14))
    assert featured.paper.arxiv_id == "2603.00001"
    assert arxiv.requests == []


def test_today_defaults_to_the_sites_local_date(settings: Settings, user: User) -> None:
    settings.TIME_ZONE = "Pacific/Auckland"  # already the 15th there
    make_paper("2603.00001", published=date(2026, 3, 10))
    with time_machine.travel("2026-03-14 20:00Z", tick=False):
        featured = paper_submit(user=user, text="2603.00001")
    assert featured.featured_on == date(2026, 3, 15)


@pytest.mark.parametrize("text", ["", "   ", "hello", "https://example.org/abs/2401.00001"])
def test_text_that_is_not_an_id_is_refused(arxiv: ReplayServer, user: User, text: str) -> None:
    with pytest.raises(SubmitError, match="is not an arXiv id or URL"):
        paper_submit(user=user, text=text, today=date(2026, 3, 14))
    assert arxiv.requests == []


def test_an_unknown_paper_is_reported(arxiv: ReplayServer, user: User) -> None:
    answer(arxiv, NOT_FOUND)
    with pytest.raises(SubmitError, match="arXiv has no paper 2401.99999"):
        paper_submit(user=user, text="2401.99999", today=date(2026, 3, 14))
    assert Paper.objects.count() == Featured.objects.count() == 0


def test_arxiv_down_is_a_clear_message_and_stores_nothing(arxiv: ReplayServer, user: User) -> None:
    arxiv.add("/api/query", None, Reply(503, "busy"))
    with pytest.raises(SubmitError, match="arXiv could not be reached to fetch 1605.08386"):
        paper_submit(user=user, text="1605.08386", today=date(2016, 6, 1))
    assert len(arxiv.requests) == 1  # no retries while a person waits
    assert Paper.objects.count() == Featured.objects.count() == 0


def test_a_paper_older_than_the_limit_is_refused(
    arxiv: ReplayServer, user: User, settings: Settings
) -> None:
    answer(arxiv, HEAT_BATH)
    with pytest.raises(SubmitError) as caught:
        paper_submit(user=user, text="1605.08386", today=date(2016, 6, 10))
    assert str(caught.value) == (
        "1605.08386 was first published on 26 May 2016, 15 days ago; "
        "only papers from the last 14 days can be submitted."
    )
    assert Featured.objects.count() == 0
    settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS = 15
    assert paper_submit(user=user, text="1605.08386", today=date(2016, 6, 10))


def test_a_paper_is_featured_once(user: User) -> None:
    paper = make_paper("2603.00001", published=date(2026, 3, 10))
    feature(paper, date(2026, 3, 12))
    with pytest.raises(SubmitError) as caught:
        paper_submit(user=user, text="2603.00001", today=date(2026, 3, 14))
    assert str(caught.value) == (
        "2603.00001 was already featured on 12 March 2026; a paper is featured once."
    )
    assert Featured.objects.get().featured_on == date(2026, 3, 12)


def test_votes_cast_before_the_submission_count(user: User) -> None:
    paper = make_paper("2603.00001", published=date(2026, 3, 10))
    vote_set(user=user, paper=paper, on=True)
    featured = paper_submit(user=user, text="2603.00001", today=date(2026, 3, 14))
    assert (featured.votes, featured.upvotes) == (1, 1)
    assert featured.trend > 0


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_only_people_who_are_logged_in_can_submit(nobody: AnonymousUser | None) -> None:
    make_paper("2603.00001", published=date(2026, 3, 10))
    with pytest.raises(PermissionDenied, match="Log in to submit"):
        paper_submit(user=nobody, text="2603.00001", today=date(2026, 3, 14))
    assert Featured.objects.count() == 0
