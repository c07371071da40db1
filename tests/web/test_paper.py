"""The paper page and author pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.community.services import comment_create, vote_set
from paperfeed.web.views.papers import PAGE_CACHE_SECONDS
from tests.web.conftest import MODEL_BACKEND, NOW, World, make_paper

pytestmark = pytest.mark.django_db


def test_the_paper_page_shows_the_paper_its_links_and_community(
    client: Client, world: World, user: User
) -> None:
    vote_set(user=user, paper=world.papers["2603.00001"], on=True)
    page = client.get("/papers/2603.00001")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Sparse diffusion transformers for protein design</h1>" in html
    assert '<a href="/authors/Ada%20Lovelace">Ada Lovelace</a>' in html
    assert 'href="https://arxiv.org/abs/2603.00001"' in html
    assert 'href="https://arxiv.org/pdf/2603.00001"' in html
    assert 'href="https://arxiv.org/html/2603.00001"' in html
    assert '<span class="count">8</span>' in html  # 7 imported upvotes and one here
    assert "featured 14 Mar 2026" in html and "submitted by ada" in html
    assert "cs.LG" in html and "13 March 2026" in html
    assert "No comments yet." in html and "to comment." in html


def test_inline_math_is_rendered_legibly(client: Client, world: World) -> None:
    html = client.get("/papers/2603.00001").content.decode()
    assert '<span class="math" title="$O(n^2)$">O(n<sup>2</sup>)</span>' in html


def test_the_bibtex_is_on_the_page_with_a_copy_button(client: Client, world: World) -> None:
    html = client.get("/papers/2603.00001").content.decode()
    assert "@misc{lovelace2026sparse," in html
    assert "eprint={2603.00001}" in html
    assert 'data-copy="bibtex"' in html and '<details class="bibtex">' in html


def test_old_style_ids_and_other_forms_of_an_id(client: Client, world: World) -> None:
    assert client.get("/papers/hep-th/9901001").status_code == 200
    for other in ("hep-th/9901001v1", "hep-th/9901001v7"):
        moved = client.get(f"/papers/{other}")
        assert moved.status_code == 302 and moved["Location"] == "/papers/hep-th/9901001"
    make_paper("math/0309136", published=date(2003, 9, 9))
    moved = client.get("/papers/math.GT/0309136")
    assert moved.status_code == 302 and moved["Location"] == "/papers/math/0309136"
    assert client.get("/papers/2603.00001v2").status_code == 302


@pytest.mark.parametrize(
    "arxiv_id", ["2603.99999", "garbage", "hep-th/99", "../../etc/passwd", "x" * 5000, "%00"]
)
def test_unknown_papers_are_a_404_that_says_what_to_do(
    client: Client, world: World, arxiv_id: str
) -> None:
    page = client.get(f"/papers/{arxiv_id}")
    assert page.status_code == 404
    assert "is not in this catalog. Submit it to fetch it from arXiv." in page.content.decode()


def test_comments_are_listed_with_their_author(client: Client, world: World, user: User) -> None:
    comment_create(user=user, paper=world.papers["2603.00001"], body="Nice **result**")
    html = client.get("/papers/2603.00001").content.decode()
    assert "<strong>result</strong>" in html and "<strong>ada</strong>" in html


def test_similar_papers_are_listed(client: Client, world: World) -> None:
    from paperfeed.search.indexing import keyword_sync

    make_paper("2603.00042", title="Protein design with diffusion models")
    keyword_sync(rebuild=True)  # no vectors: similar papers come from the keyword index
    html = client.get("/papers/2603.00001").content.decode()
    assert "Similar papers" in html and "Protein design with diffusion models" in html


def test_the_paper_page_takes_a_bounded_number_of_queries(
    member: Client, world: World, user: User, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        comment_create(user=user, paper=world.papers["2603.00001"], body=f"comment {n}")
    # The session and the user; the paper; its featuring, votes, the member's vote and library
    # (one query); the member's permissions (two: may they moderate the comments?); the comments
    # with their authors; the paper's vector (none here), key phrases and links.
    with django_assert_max_num_queries(10):
        assert member.get("/papers/2603.00001").status_code == 200


@pytest.mark.parametrize(("logged_in", "most"), [(False, 5), (True, 7)])
def test_a_paper_without_comments_costs_fewer_queries(
    client: Client, world: World, user: User, logged_in: bool, most: int,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    """No comment query, and no look at the member's permissions: nothing to moderate."""
    if logged_in:
        client.force_login(user, backend=MODEL_BACKEND)
    with django_assert_max_num_queries(most):
        html = client.get("/papers/2603.00002").content.decode()
    assert "No comments yet." in html and '<span class="count">12</span>' in html


def test_anonymous_visitors_share_a_paper_page_for_a_few_seconds(
    member: Client, world: World, user: User, django_assert_num_queries: Any
) -> None:
    anonymous = Client()
    before = anonymous.get("/papers/2603.00002").content
    with django_assert_num_queries(0):
        assert anonymous.get("/papers/2603.00002").content == before
    vote_set(user=user, paper=world.papers["2603.00002"], on=True)  # as on another server process
    assert anonymous.get("/papers/2603.00002").content == before  # a vote behind
    assert "Remove your upvote (13 upvotes)" in member.get("/papers/2603.00002").content.decode()
    with time_machine.travel(NOW + timedelta(seconds=PAGE_CACHE_SECONDS + 1), tick=False):
        assert (
            '<span class="count">13</span>' in anonymous.get("/papers/2603.00002").content.decode()
        )


def test_a_vote_taken_by_this_process_shows_to_anonymous_visitors_at_once(
    member: Client, world: World
) -> None:
    anonymous = Client()
    assert '<span class="count">12</span>' in anonymous.get("/papers/2603.00002").content.decode()
    member.post("/papers/2603.00002/vote", {"on": "1"})
    assert '<span class="count">13</span>' in anonymous.get("/papers/2603.00002").content.decode()


def test_an_author_page_lists_their_papers_newest_first(client: Client, world: World) -> None:
    page = client.get("/authors/Alan Turing")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Alan Turing</h1>" in html and "5 papers" in html  # the factory default, too
    assert html.index("Sparse diffusion") < html.index("Graph networks")
    assert client.get("/authors/alan turing").status_code == 200  # any spelling of the name


def test_author_pages_are_paginated(client: Client, world: World) -> None:
    for n in range(30):
        make_paper(f"2601.{n:05d}", authors=["Prolific Person"])
    first = client.get("/authors/Prolific Person").content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert client.get("/authors/Prolific Person?page=2").status_code == 200
    assert client.get("/authors/Prolific Person?page=abc").status_code == 200


@pytest.mark.parametrize("name", ["Nobody Here", "...", "x" * 1000])
def test_unknown_authors_are_a_404(client: Client, world: World, name: str) -> None:
    page = client.get(f"/authors/{name}")
    assert page.status_code == 404 and "in this catalog" in page.content.decode()
