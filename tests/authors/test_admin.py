"""Staff decide claims in the admin: the list, the confirm and reject actions, and papers moved
off a claimed page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.authors.models import Claim, Exclusion
from paperfeed.authors.services import claim_create
from paperfeed.papers.selectors import author_papers
from tests.authors.conftest import Catalog, logged_in

pytestmark = pytest.mark.django_db
CLAIMS = "/admin/authors/claim/"


def test_staff_see_pending_claims_first(
    catalog: Catalog, user: User, staff: User, make_user: Callable[..., User]
) -> None:
    staff.is_superuser = True  # the admin's permissions, without listing them
    staff.save()
    claim_create(user=user, author=catalog.wei)
    page = logged_in(staff).get(CLAIMS + "?status__exact=pending")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wei Wang" in html and "Confirm the selected claims" in html


def test_the_confirm_action_confirms(
    catalog: Catalog, user: User, admin_client: Client, admin_user: User
) -> None:
    claim = claim_create(user=user, author=catalog.wei)
    response = admin_client.post(
        CLAIMS, {"action": "confirm_claims", "_selected_action": [claim.pk]}, follow=True
    )
    assert "1 claim(s) confirmed." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.CONFIRMED and claim.decided_by == admin_user


def test_the_reject_action_rejects(catalog: Catalog, user: User, admin_client: Client) -> None:
    claim = claim_create(user=user, author=catalog.wei)
    admin_client.post(CLAIMS, {"action": "reject_claims", "_selected_action": [claim.pk]})
    claim.refresh_from_db()
    assert claim.status == Claim.REJECTED and claim.decided_at is not None


def test_confirming_two_claims_on_one_author_keeps_one(
    catalog: Catalog, user: User, make_user: Callable[..., User], admin_client: Client
) -> None:
    first = claim_create(user=user, author=catalog.wei)
    second = claim_create(user=make_user("namesake"), author=catalog.wei)
    response = admin_client.post(
        CLAIMS, {"action": "confirm_claims", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert "1 claim(s) confirmed." in html and "already claimed by someone else" in html
    assert Claim.objects.filter(status=Claim.CONFIRMED).count() == 1


def test_staff_move_a_paper_off_a_claim(
    catalog: Catalog, confirmed: Claim, admin_client: Client
) -> None:
    paper = catalog.paper("2202.00003")
    change = f"{CLAIMS}{confirmed.pk}/change/"
    assert admin_client.get(change).status_code == 200
    form = {
        "author": confirmed.author_id,
        "user": confirmed.user_id,
        "profile_url": confirmed.profile_url,
        "exclusions-TOTAL_FORMS": "1",
        "exclusions-INITIAL_FORMS": "0",
        "exclusions-MIN_NUM_FORMS": "0",
        "exclusions-MAX_NUM_FORMS": "1000",
        "exclusions-0-paper": paper.pk,
        "exclusions-0-claim": confirmed.pk,
    }
    response = admin_client.post(change, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Exclusion.objects.values_list("claim", "paper")) == [(confirmed.pk, paper.pk)]
    assert paper in author_papers(author=catalog.wei)  # still the author's in the catalog
