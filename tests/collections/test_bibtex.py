"""A collection's BibTeX: every paper, in the collection's order, with keys unique in the file."""

from __future__ import annotations

from datetime import date

from django.test import Client

from paperfeed.collections.services import collection_create, collection_item_add
from paperfeed.web.bibtex import paper_bibtex
from paperfeed.web.views.collections import bibtex_entries
from tests.collections.conftest import Shelf, url
from tests.community.factories import make_paper


def test_the_bibtex_holds_each_paper_in_order(shelf: Shelf) -> None:
    response = Client().get(url(shelf.public, "/bibtex"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="diffusion-reading-group.bib"'
    first, second = (shelf.papers[i] for i in ("2603.00001", "2603.00002"))
    assert response.content.decode() == f"{paper_bibtex(first)}\n\n{paper_bibtex(second)}\n"
    assert "@misc{lovelace2026sparse," in response.content.decode()
    assert "eprint={2603.00002}" in response.content.decode()


def test_keys_that_would_repeat_get_a_letter(shelf: Shelf) -> None:
    twins = [
        make_paper(f"2603.0002{n}", published=date(2026, 3, 1), title="Sparse codes",
                   authors=["Ada Lovelace"])
        for n in range(3)
    ]  # fmt: skip
    collection = collection_create(user=shelf.eve, title="Twins")
    for paper in twins:
        collection_item_add(user=shelf.eve, collection=collection, paper=paper)
    text = Client().get(url(collection, "/bibtex")).content.decode()
    assert [line for line in text.splitlines() if line.startswith("@misc{")] == [
        "@misc{lovelace2026sparse,",
        "@misc{lovelace2026sparseb,",
        "@misc{lovelace2026sparsec,",
    ]
    assert text.count("eprint={2603.0002") == 3


def test_an_empty_collection_is_an_empty_file(db: None) -> None:
    assert bibtex_entries([]) == ""
