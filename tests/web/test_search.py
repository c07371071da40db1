"""The search page: results, highlights, filters, modes, odd input, saved searches."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.models import SavedSearch
from paperfeed.search.indexing import keyword_sync
from tests.web.conftest import World, make_paper

pytestmark = pytest.mark.django_db


def test_results_show_title_authors_date_categories_and_a_highlighted_snippet(
    client: Client, indexed: World
) -> None:
    page = client.get("/search", {"q": "diffusion", "mode": "keyword"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sparse diffusion transformers for protein design" in html
    assert "Ada Lovelace, Alan Turing" in html
    assert "13 Mar 2026" in html
    assert (
        '<a class="chip" href="?q=diffusion&amp;mode=keyword&amp;category=cs.LG">cs.LG</a>' in html
    )
    assert "<mark>diffusion</mark>" in html
    assert "Graph networks for weather" not in html


def test_a_paper_text_cannot_inject_markup_into_the_snippet(client: Client, indexed: World) -> None:
    make_paper("2603.00099", title="Harmless title", abstract="diffusion <script>alert(1)</script>")
    keyword_sync()
    html = client.get("/search", {"q": "diffusion harmless", "mode": "keyword"}).content.decode()
    assert "Harmless title" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_hybrid_search_without_vectors_says_it_used_keywords(
    client: Client, indexed: World
) -> None:
    html = client.get("/search", {"q": "diffusion"}).content.decode()
    assert "Sparse diffusion transformers" in html
    assert html.count("not available yet: these are keyword results") == 1


def test_filters_narrow_by_category_and_date(client: Client, indexed: World) -> None:
    hep = client.get("/search", {"q": "strings", "category": "hep-th", "mode": "keyword"})
    assert "Strings on branes" in hep.content.decode()
    none = client.get("/search", {"q": "strings", "category": "cs.LG", "mode": "keyword"})
    html = none.content.decode()
    assert "No papers match" in html and "search without filters" in html
    dated = client.get("/search", {"q": "diffusion", "mode": "keyword", "after": "2026-03-14"})
    assert "Sparse diffusion" not in dated.content.decode()


def test_a_filter_alone_lists_matching_papers(client: Client, indexed: World) -> None:
    html = client.get("/search", {"category": "hep-th"}).content.decode()
    assert "Strings on branes" in html


def test_an_arxiv_id_goes_straight_to_the_paper(client: Client, indexed: World) -> None:
    for typed in ("2603.00002", "arXiv:2603.00002v1", "https://arxiv.org/abs/2603.00002"):
        page = client.get("/search", {"q": typed})
        assert page.status_code == 302 and page["Location"] == "/papers/2603.00002"
    old = client.get("/search", {"q": "hep-th/9901001"})
    assert old["Location"] == "/papers/hep-th/9901001"
    missing = client.get("/search", {"q": "2603.09999"})
    assert missing.status_code == 200 and "No papers match" in missing.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 10_000},
        {"q": "diffusion " * 1_000},
        {"q": '"unclosed phrase author: cat: year:abc after:2026-99-99 -'},
        {"q": "\x00 ☃ ∑ <b>bold</b>"},
        {"q": "diffusion", "mode": "psychic"},
        {"q": "diffusion", "page": "-3"},
        {"q": "diffusion", "page": "99999999999999999999"},
        {"q": "diffusion", "after": "not a date", "before": "2026-02-30"},
        {"q": "diffusion", "category": "c" * 500},
    ],
)
def test_odd_queries_never_fail(client: Client, indexed: World, params: dict[str, str]) -> None:
    page = client.get("/search", params)
    assert page.status_code == 200
    assert "<b>bold</b>" not in page.content.decode()


def test_invalid_utf8_in_the_url_never_fails(client: Client, indexed: World) -> None:
    assert client.get("/search?q=%ED%A0%80%FF%00diffusion&mode=%FF").status_code == 200


def test_the_empty_page_explains_the_query_language(client: Client, indexed: World) -> None:
    html = client.get("/search").content.decode()
    assert "Search tips" in html and "author:" in html


def test_ignored_parts_of_a_query_are_explained(client: Client, indexed: World) -> None:
    html = client.get(
        "/search", {"q": "diffusion", "mode": "psychic", "after": "soon"}
    ).content.decode()
    assert "Mode “psychic” was not understood and ignored" in html
    long = client.get("/search", {"q": "word " * 3_000, "mode": "keyword"}).content.decode()
    assert "only its first 2,000 characters were read" in long


def test_results_are_paginated(client: Client, indexed: World) -> None:
    for n in range(25):
        make_paper(f"2602.{n:05d}", title=f"Quantum kernels part {n}")
    keyword_sync()
    first = client.get("/search", {"q": "quantum", "mode": "keyword"}).content.decode()
    assert first.count('class="card hit"') == 20 and 'rel="next"' in first
    second = client.get("/search", {"q": "quantum", "mode": "keyword", "page": 2}).content.decode()
    assert second.count('class="card hit"') == 5 and 'rel="prev"' in second


def test_logged_in_people_can_save_and_delete_a_search(
    member: Client, user: User, indexed: World
) -> None:
    html = member.get("/search", {"q": "diffusion", "category": "cs.LG"}).content.decode()
    assert "Save this search" in html
    assert 'name="query" value="diffusion cat:cs.LG"' in html  # the filter, in the query language
    saved = member.post("/searches/save", {"query": "diffusion cat:cs.LG", "next": "/search?q=x"})
    assert saved.status_code == 302 and saved["Location"] == "/search?q=x"
    search = SavedSearch.objects.get(user=user)
    assert search.query == "diffusion cat:cs.LG"
    profile = member.get("/accounts/profile/").content.decode()
    assert "diffusion cat:cs.LG" in profile
    assert member.post(f"/searches/{search.pk}/delete").status_code == 302
    assert not SavedSearch.objects.exists()
    twice = member.post(f"/searches/{search.pk}/delete", follow=True)  # a second click
    assert twice.status_code == 200
    assert "already deleted" in twice.content.decode()


def test_saving_an_empty_search_says_why_not(member: Client, indexed: World) -> None:
    page = member.post("/searches/save", {"query": "  "}, follow=True)
    assert "nothing to save" in page.content.decode()


def test_anonymous_people_see_no_save_button_and_cannot_save(
    client: Client, indexed: World
) -> None:
    assert "Save this search" not in client.get("/search", {"q": "diffusion"}).content.decode()
    page = client.post("/searches/save", {"query": "diffusion"})
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/?next=")
    assert not SavedSearch.objects.exists()
