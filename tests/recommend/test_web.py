"""The For-you pages through Django's test client: the list, "not interested" (htmx and plain
POST), and the cold-start page (follow, import ids and BibTeX)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from paperfeed.accounts.models import LibraryEntry
from paperfeed.papers.models import Paper
from paperfeed.recommend.models import Dismissal, Interest
from paperfeed.recommend.selectors import title_short
from tests.recommend.conftest import by_title

pytestmark = pytest.mark.django_db


def logged_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_for_you_asks_anonymous_people_to_log_in(client: Client) -> None:
    response = client.get("/for-you")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_reader_is_told_how_to_start(catalog: list[Paper], user: User) -> None:
    page = logged_in(user).get("/for-you").content.decode()
    assert "Tell us what you read" in page and reverse("for_you_setup") in page
    assert 'href="/for-you"' in page  # the nav link


def test_the_list_shows_papers_with_their_reason(catalog: list[Paper], reader: Callable) -> None:
    saved = by_title(catalog, "splat")[:3]
    client = logged_in(reader(saved))
    page = client.get("/for-you?window=month").content.decode()
    assert page.count('class="card entry for-you-entry"') == 50
    assert f"close to “{title_short(saved[0].title)}” in your library".replace("“", "&ldquo;") in (
        page.replace("“", "&ldquo;")
    )
    assert "Not interested" in page
    assert all(f'/papers/{p.arxiv_id}"' not in page for p in saved)
    # A window with nothing in it says so.
    assert client.get("/for-you?window=bogus").status_code == 200


def test_not_interested_with_htmx_answers_the_button(
    catalog: list[Paper], reader: Callable
) -> None:
    person = reader(by_title(catalog, "video")[:3])
    client = logged_in(person)
    first = client.get("/for-you").context["recs"][0].paper
    response = client.post(
        f"/for-you/dismiss/{first.arxiv_id}", {"on": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "Undo" in response.content.decode()
    assert Dismissal.objects.filter(user=person, paper=first).exists()
    assert first not in [r.paper for r in client.get("/for-you").context["recs"]]
    client.post(f"/for-you/dismiss/{first.arxiv_id}", {"on": "0"}, headers={"HX-Request": "true"})
    assert not Dismissal.objects.filter(user=person, paper=first).exists()


def test_not_interested_without_javascript_goes_back(
    catalog: list[Paper], reader: Callable
) -> None:
    person = reader(by_title(catalog, "video")[:1])
    paper = by_title(catalog, "medical")[0]
    response = logged_in(person).post(
        f"/for-you/dismiss/{paper.arxiv_id}", {"next": "/for-you?window=day"}
    )
    assert response.status_code == 302 and response["Location"] == "/for-you?window=day"
    assert Dismissal.objects.filter(user=person, paper=paper).exists()


def test_not_interested_needs_a_login_and_a_csrf_token(catalog: list[Paper], user: User) -> None:
    paper = catalog[0]
    assert Client().post(f"/for-you/dismiss/{paper.arxiv_id}").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(f"/for-you/dismiss/{paper.arxiv_id}").status_code == 403
    assert logged_in(user).post("/for-you/dismiss/2501.99999").status_code == 404
    assert not Dismissal.objects.exists()


def test_importing_ids_and_bibtex_fills_the_library(catalog: list[Paper], user: User) -> None:
    a, b, c = catalog[:3]
    bibtex = (
        f"@misc{{one, title={{One}}, eprint={{{b.arxiv_id}}}, archivePrefix={{arXiv}}}}\n"
        "@misc{broken, title={Two}, url={https://arxiv.org/abs/2503.99999}\n"
        f"@article{{three, title={{Three}}, url={{https://arxiv.org/abs/{c.arxiv_id}v2}}}}\n"
        "@book{four, title={No id here}}\n"
    )
    response = logged_in(user).post(
        "/for-you/import",
        {
            "ids": f"{a.arxiv_id}\nnot-an-id https://arxiv.org/abs/1901.00001",
            "bibtex": SimpleUploadedFile("refs.bib", bibtex.encode()),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    library = LibraryEntry.objects.filter(user=user).values_list("paper__arxiv_id", flat=True)
    assert set(library) == {a.arxiv_id, b.arxiv_id, c.arxiv_id}
    assert "3 papers added to your library" in page
    assert "1901.00001" in page  # not in the catalog
    assert "not-an-id" in page and "line 2: cannot be read" in page
    assert "line 4: four has no arXiv id" in page


def test_an_empty_import_says_what_to_do(user: User) -> None:
    response = logged_in(user).post("/for-you/import", {"ids": "  "}, follow=True)
    assert "Paste some arXiv ids or choose a BibTeX file." in response.content.decode()


def test_following_categories_and_authors(catalog: list[Paper], user: User) -> None:
    client = logged_in(user)
    author = catalog[0].authors[0]
    client.post("/for-you/follow", {"kind": "category", "text": "cs.RO"})
    client.post("/for-you/follow", {"kind": "author", "text": author.upper()})
    response = client.post(
        "/for-you/follow", {"kind": "author", "text": "Nobody Atall"}, follow=True
    )
    assert "No author named" in response.content.decode()
    bad = client.post("/for-you/follow", {"kind": "category", "text": "<b>"}, follow=True)
    assert "is not an arXiv category" in bad.content.decode()
    assert sorted(Interest.objects.filter(user=user).values_list("kind", "label")) == [
        ("author", author), ("category", "cs.RO")
    ]  # fmt: skip
    page = client.get("/for-you?window=month").content.decode()
    assert f"by {author}, whom you follow" in page
    assert "new in cs.RO, which you follow" in page


def test_a_reader_cannot_unfollow_for_someone_else(user: User, make_user: Callable) -> None:
    other = make_user("bob")
    theirs = Interest.objects.create(user=other, kind="category", value="cs.LG", label="cs.LG")
    logged_in(user).post(f"/for-you/unfollow/{theirs.id}")
    assert Interest.objects.filter(id=theirs.id).exists()
    logged_in(other).post(f"/for-you/unfollow/{theirs.id}")
    assert not Interest.objects.filter(id=theirs.id).exists()


def test_the_list_takes_a_bounded_number_of_queries(
    catalog: list[Paper], reader: Callable, django_assert_max_num_queries: Callable
) -> None:
    client = logged_in(reader(by_title(catalog, "3d")[:5]))
    client.get("/for-you")  # trains and stores the model
    # 16: the followed authors' new papers are one query, empty for a reader who follows none.
    with django_assert_max_num_queries(16):
        assert client.get("/for-you?window=month").status_code == 200
