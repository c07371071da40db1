"""The search page's "with code" filter: a checkbox beside the others, and has:code typed."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from paperfeed.search.indexing import keyword_sync
from tests.web.conftest import World, make_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_code(indexed: World) -> World:
    make_paper("2603.00010", published=date(2026, 3, 12), title="Diffusion policies, with code",
               comments="Code: https://github.com/o/diffusion-policies")  # fmt: skip
    keyword_sync()
    return indexed


def test_the_checkbox_keeps_papers_with_their_own_code(client: Client, with_code: World) -> None:
    every = client.get("/search", {"q": "diffusion", "mode": "keyword"}).content.decode()
    assert "Sparse diffusion transformers" in every and "Diffusion policies" in every
    assert 'type="checkbox" name="code" id="id_code"' in every
    assert 'name="code" id="id_code" checked' not in every
    page = client.get("/search", {"q": "diffusion", "mode": "keyword", "code": "on"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Diffusion policies" in html and "Sparse diffusion transformers" not in html
    assert 'type="checkbox" name="code" id="id_code" checked' in html
    assert '<details class="filters" open>' in html  # a filter is on: the filters show


def test_the_checkbox_alone_lists_papers_with_code(client: Client, with_code: World) -> None:
    html = client.get("/search", {"code": "on"}).content.decode()
    assert "Diffusion policies" in html and "Strings on branes" not in html


def test_has_code_typed_in_the_box_filters_too(client: Client, with_code: World) -> None:
    html = client.get("/search", {"q": "diffusion has:code", "mode": "keyword"}).content.decode()
    assert "Diffusion policies" in html and "Sparse diffusion transformers" not in html
    odd = client.get("/search", {"q": "diffusion has:pdf", "mode": "keyword"}).content.decode()
    assert "Sparse diffusion transformers" in odd
    assert "the only such filter is has:code" in odd


def test_a_saved_search_keeps_the_checkbox_as_has_code(member: Client, with_code: World) -> None:
    html = member.get("/search", {"q": "diffusion", "code": "on"}).content.decode()
    assert 'name="query" value="diffusion has:code"' in html


def test_the_tips_mention_has_code(client: Client, indexed: World) -> None:
    assert "<code>has:code</code>" in client.get("/search").content.decode()


def test_the_search_feed_keeps_the_checkbox(client: Client, with_code: World) -> None:
    body = client.get(
        "/feeds/search.atom", {"q": "diffusion", "mode": "keyword", "code": "on"}
    ).content.decode()
    assert "Diffusion policies" in body and "Sparse diffusion transformers" not in body
    assert "Code: https://github.com/o/diffusion-policies" in body


def test_search_results_carry_the_code_badge(client: Client, with_code: World) -> None:
    html = client.get("/search", {"q": "diffusion", "mode": "keyword"}).content.decode()
    assert html.count('class="code-badge') == 1
    assert 'href="https://github.com/o/diffusion-policies"' in html
