"""A small catalog for claimed-author tests: Wei Wang's papers over four years (one of them a
namesake's), their co-authors, a collaboration paper, users and a member of staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.authors.models import Claim
from paperfeed.authors.services import claim_confirm, claim_create
from paperfeed.papers.models import Author, Paper
from paperfeed.papers.selectors import author_get
from tests.community.factories import make_paper
from tests.web.conftest import make_user

__all__ = ["make_user"]  # fixtures

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
WEI = "Wei Wang"


@dataclass
class Catalog:
    papers: dict[str, Paper]
    wei: Author

    def paper(self, arxiv_id: str) -> Paper:
        return self.papers[arxiv_id]


@pytest.fixture
def catalog(db: None) -> Catalog:
    """Wei Wang: two papers in 2020, none in 2021, three in 2022 (one with a 60-name
    collaboration), one in 2023. Li Na wrote three of them with Wei, Ada Lovelace two."""
    crowd = [f"Member {n}" for n in range(59)]
    papers = {
        "2001.00001": make_paper("2001.00001", published=date(2020, 1, 10),
                                 title="Sparse attention for graphs", authors=[WEI, "Li Na"]),
        "2006.00002": make_paper("2006.00002", published=date(2020, 6, 2),
                                 title="Graph transformers at scale",
                                 authors=["Li Na", WEI, "Ada Lovelace"]),
        "2202.00003": make_paper("2202.00003", published=date(2022, 2, 3),
                                 title="Soil moisture in the Loess Plateau",
                                 authors=[WEI, "Zhang San"]),  # the namesake's
        "2205.00004": make_paper("2205.00004", published=date(2022, 5, 4),
                                 title="Message passing revisited",
                                 authors=["Ada Lovelace", "Li Na", WEI]),
        "2209.00005": make_paper("2209.00005", published=date(2022, 9, 5),
                                 title="A detector upgrade", authors=[WEI, *crowd]),
        "2303.00006": make_paper("2303.00006", published=date(2023, 3, 6),
                                 title="Equivariant graph networks", authors=[WEI]),
        "2303.00007": make_paper("2303.00007", published=date(2023, 3, 7),
                                 title="Someone else entirely", authors=["Li Na"]),
    }  # fmt: skip
    wei = author_get(name=WEI)
    assert wei is not None
    return Catalog(papers=papers, wei=wei)


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user("wei", email="wei@example.org")


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user("staffer", is_staff=True)


@pytest.fixture
def confirmed(catalog: Catalog, user: User, staff: User) -> Claim:
    """`user`'s claim on Wei Wang, confirmed by staff, with a profile link."""
    claim = claim_create(
        user=user, author=catalog.wei, profile_url="https://orcid.org/0000-0002-1825-0097"
    )
    return claim_confirm(claim=claim, by=staff)


def logged_in(person: User) -> Client:
    client = Client()
    client.force_login(person, backend=MODEL_BACKEND)
    return client
