"""Claims through the services: staff confirm or reject them, one confirmed claim per author,
profile links, and "not me" kept to the claimant."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from paperfeed.authors.models import Claim, Exclusion
from paperfeed.authors.selectors import author_claim, claims_of
from paperfeed.authors.services import (
    MAX_PENDING,
    ClaimError,
    claim_confirm,
    claim_create,
    claim_profile_set,
    claim_reject,
    claim_withdraw,
    exclusion_set,
)
from paperfeed.papers.selectors import author_get
from tests.authors.conftest import Catalog
from tests.community.factories import make_paper

pytestmark = pytest.mark.django_db


def test_a_claim_waits_for_staff(catalog: Catalog, user: User) -> None:
    claim = claim_create(user=user, author=catalog.wei)
    assert claim.status == Claim.PENDING and claim.decided_at is None
    assert author_claim(author=catalog.wei) is None  # nothing public yet
    assert claim_create(user=user, author=catalog.wei) == claim  # claiming again: the same


def test_staff_confirm_a_claim(catalog: Catalog, user: User, staff: User) -> None:
    claim = claim_confirm(claim=claim_create(user=user, author=catalog.wei), by=staff)
    assert claim.status == Claim.CONFIRMED and claim.decided_by == staff
    assert author_claim(author=catalog.wei) == claim


def test_only_staff_decide_claims(catalog: Catalog, user: User) -> None:
    claim = claim_create(user=user, author=catalog.wei)
    with pytest.raises(PermissionDenied):
        claim_confirm(claim=claim, by=user)
    with pytest.raises(PermissionDenied):
        claim_reject(claim=claim, by=user)


def test_an_author_has_one_confirmed_claim(
    catalog: Catalog, user: User, staff: User, make_user: Callable[..., User]
) -> None:
    rival = claim_create(user=make_user("other"), author=catalog.wei)
    claim_confirm(claim=claim_create(user=user, author=catalog.wei), by=staff)
    with pytest.raises(ClaimError, match="already claimed"):
        claim_confirm(claim=rival, by=staff)
    with pytest.raises(ClaimError, match="already been claimed"):
        claim_create(user=make_user("third"), author=catalog.wei)
    assert Claim.objects.filter(status=Claim.CONFIRMED).count() == 1


def test_a_person_may_claim_several_names(catalog: Catalog, user: User) -> None:
    make_paper("2401.00001", authors=["W. Wang"])
    variant = author_get(name="W. Wang")
    assert variant is not None and variant != catalog.wei
    claim_create(user=user, author=catalog.wei)
    claim_create(user=user, author=variant)
    assert {c.author.name for c in claims_of(user=user)} == {"Wei Wang", "W. Wang"}


def test_a_rejected_claim_stays_rejected_until_withdrawn(
    catalog: Catalog, user: User, staff: User
) -> None:
    claim = claim_reject(claim=claim_create(user=user, author=catalog.wei), by=staff)
    assert claim.status == Claim.REJECTED and author_claim(author=catalog.wei) is None
    with pytest.raises(ClaimError, match="not confirmed"):
        claim_create(user=user, author=catalog.wei)
    claim_withdraw(user=user, claim=claim)
    assert claim_create(user=user, author=catalog.wei).status == Claim.PENDING


def test_claims_need_an_account(catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied, match="Log in"):
        claim_create(user=AnonymousUser(), author=catalog.wei)


def test_pending_claims_are_capped(user: User, db: None) -> None:
    for n in range(MAX_PENDING + 1):
        make_paper(f"2401.{n:05d}", authors=[f"Name {n}"])
    authors = [author_get(name=f"Name {n}") for n in range(MAX_PENDING + 1)]
    for author in authors[:MAX_PENDING]:
        assert author is not None
        claim_create(user=user, author=author)
    assert authors[-1] is not None
    with pytest.raises(ClaimError, match="waiting for staff"):
        claim_create(user=user, author=authors[-1])


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.org/me", "orcid.org/0000-0002-1825-0097",
     "https://", "https://exa mple.org", "https://example.org/" + "x" * 500],
)  # fmt: skip
def test_profile_links_must_be_web_addresses(catalog: Catalog, user: User, url: str) -> None:
    with pytest.raises(ClaimError):
        claim_create(user=user, author=catalog.wei, profile_url=url)
    claim = claim_create(user=user, author=catalog.wei)
    with pytest.raises(ClaimError):
        claim_profile_set(user=user, claim=claim, profile_url=url)
    claim.refresh_from_db()
    assert claim.profile_url == ""


def test_profile_links_are_set_and_cleared_by_the_claimant(
    confirmed: Claim, make_user: Callable[..., User]
) -> None:
    assert confirmed.profile_url == "https://orcid.org/0000-0002-1825-0097"
    claim_profile_set(user=confirmed.user, claim=confirmed, profile_url=" http://wei.example.org ")
    assert Claim.objects.get().profile_url == "http://wei.example.org"
    with pytest.raises(PermissionDenied):
        claim_profile_set(user=make_user(), claim=confirmed, profile_url="https://evil.example")
    claim_profile_set(user=confirmed.user, claim=confirmed, profile_url="")
    assert Claim.objects.get().profile_url == ""


def test_not_me_is_the_claimants_alone(
    catalog: Catalog, confirmed: Claim, staff: User, make_user: Callable[..., User]
) -> None:
    paper = catalog.paper("2202.00003")
    with pytest.raises(PermissionDenied):
        exclusion_set(user=make_user(), claim=confirmed, paper=paper)
    assert exclusion_set(user=confirmed.user, claim=confirmed, paper=paper) is True
    assert exclusion_set(user=confirmed.user, claim=confirmed, paper=paper) is True  # idempotent
    assert Exclusion.objects.count() == 1
    assert exclusion_set(user=confirmed.user, claim=confirmed, paper=paper, on=False) is False
    assert exclusion_set(user=staff, claim=confirmed, paper=paper) is True  # staff may too
    assert Exclusion.objects.count() == 1


def test_not_me_waits_for_confirmation(catalog: Catalog, user: User) -> None:
    claim = claim_create(user=user, author=catalog.wei)
    with pytest.raises(PermissionDenied, match="once staff confirm"):
        exclusion_set(user=user, claim=claim, paper=catalog.paper("2202.00003"))


def test_not_me_takes_only_the_authors_papers(catalog: Catalog, confirmed: Claim) -> None:
    with pytest.raises(ClaimError, match="is not on Wei Wang's page"):
        exclusion_set(user=confirmed.user, claim=confirmed, paper=catalog.paper("2303.00007"))


def test_withdrawing_is_the_claimants_and_takes_the_exclusions(
    catalog: Catalog, confirmed: Claim, make_user: Callable[..., User]
) -> None:
    exclusion_set(user=confirmed.user, claim=confirmed, paper=catalog.paper("2202.00003"))
    with pytest.raises(PermissionDenied):
        claim_withdraw(user=make_user(), claim=confirmed)
    claim_withdraw(user=confirmed.user, claim=confirmed)
    assert not Claim.objects.exists() and not Exclusion.objects.exists()
