"""An author's page as the selectors read it: papers per year, co-authors, and "not me" taking a
paper off the claimed page only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from paperfeed.authors.models import Claim
from paperfeed.authors.selectors import (
    CoAuthor,
    author_coauthors,
    author_page,
    claimed_author_papers,
    papers_per_year,
)
from paperfeed.authors.services import claim_create, exclusion_set
from paperfeed.papers.selectors import author_get, author_papers
from paperfeed.search.indexing import keyword_sync
from paperfeed.search.selectors import papers_search
from tests.authors.conftest import Catalog

pytestmark = pytest.mark.django_db


def test_papers_are_counted_per_year(catalog: Catalog) -> None:
    assert papers_per_year(papers=author_papers(author=catalog.wei)) == [
        (2020, 2), (2022, 3), (2023, 1)
    ]  # fmt: skip


def test_coauthors_are_counted_by_papers_together(catalog: Catalog) -> None:
    found = author_coauthors(author=catalog.wei, papers=author_papers(author=catalog.wei))
    # Li Na's solo paper is not Wei's; the 60-name collaboration counts for nobody.
    assert found == [
        CoAuthor(name="Li Na", papers=3),
        CoAuthor(name="Ada Lovelace", papers=2),
        CoAuthor(name="Zhang San", papers=1),
    ]
    li = author_get(name="Li Na")
    assert li is not None
    assert author_coauthors(author=li, papers=author_papers(author=li))[0] == CoAuthor(
        name="Wei Wang", papers=3
    )


def test_not_me_leaves_the_claimed_page_only(catalog: Catalog, confirmed: Claim) -> None:
    namesakes = catalog.paper("2202.00003")
    exclusion_set(user=confirmed.user, claim=confirmed, paper=namesakes)
    page = author_page(author=catalog.wei, viewer=None)
    assert namesakes not in page.papers and page.papers.count() == 5
    assert page.years == [(2020, 2), (2022, 2), (2023, 1)]
    assert "Zhang San" not in [c.name for c in page.coauthors]
    assert page.excluded == []  # the list with "undo" is the claimant's
    assert author_page(author=catalog.wei, viewer=confirmed.user).excluded == [namesakes]
    # Everywhere else the paper is still Wei Wang's.
    assert namesakes in author_papers(author=catalog.wei)
    keyword_sync(rebuild=True)
    hits = papers_search(q='author:"Wei Wang" soil', mode="keyword").hits
    assert [hit.paper.arxiv_id for hit in hits] == [namesakes.arxiv_id]


def test_undo_puts_the_paper_back(catalog: Catalog, confirmed: Claim) -> None:
    paper = catalog.paper("2202.00003")
    exclusion_set(user=confirmed.user, claim=confirmed, paper=paper)
    exclusion_set(user=confirmed.user, claim=confirmed, paper=paper, on=False)
    assert paper in claimed_author_papers(author=catalog.wei, claim=confirmed)


def test_a_pending_claim_changes_nothing_public(
    catalog: Catalog, user: User, make_user: Callable[..., User]
) -> None:
    claim = claim_create(user=user, author=catalog.wei)
    for viewer in (None, make_user()):
        page = author_page(author=catalog.wei, viewer=viewer)
        assert page.claim is None and page.own_claim is None and not page.is_claimant
    mine = author_page(author=catalog.wei, viewer=user)
    assert mine.claim is None and mine.own_claim == claim and not mine.is_claimant


def test_the_page_knows_its_claimant(catalog: Catalog, confirmed: Claim) -> None:
    assert author_page(author=catalog.wei, viewer=confirmed.user).is_claimant
    assert not author_page(author=catalog.wei, viewer=None).is_claimant
