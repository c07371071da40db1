"""Author pages through Django's test client: the chart and co-authors, "This is me", the claim
shown once confirmed, "not me" and undo, following, and the profile's list of claims."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.authors.models import Claim, Exclusion
from paperfeed.recommend.models import Interest
from tests.authors.conftest import Catalog, logged_in

pytestmark = pytest.mark.django_db
PAGE = "/authors/Wei Wang"


def test_an_unclaimed_page_has_the_chart_and_coauthors(client: Client, catalog: Catalog) -> None:
    html = client.get(PAGE).content.decode()
    assert "<h1>Wei Wang</h1>" in html and "6 papers" in html
    assert html.count('class="chart-bar"') == 4  # 2020 to 2023, 2021 empty
    assert "<title>2022: 3 papers</title>" in html and "<td>2021</td>" not in html
    assert '<a href="/authors/Li%20Na">Li Na</a> <span class="muted">3 papers</span>' in html
    assert "Claimed by" not in html and "Not me" not in html
    login = 'href="/accounts/login/?next=/authors/Wei%20Wang"'
    assert html.count(login) == 2  # Follow and This is me ask anonymous people to log in


def test_claiming_a_page_shows_claim_pending_to_the_claimant_only(
    catalog: Catalog, user: User, make_user: Callable[..., User]
) -> None:
    claimant = logged_in(user)
    assert "This is me" in claimant.get(PAGE).content.decode()
    response = claimant.post(f"{PAGE}/claim", {"profile_url": "https://wei.example.org"})
    assert response.status_code == 302 and response["Location"] == "/authors/Wei%20Wang"
    claim = Claim.objects.get()
    assert (claim.user, claim.status, claim.profile_url) == (
        user,
        "pending",
        "https://wei.example.org",
    )
    mine = claimant.get(PAGE).content.decode()
    assert "claim pending" in mine and "This is me" not in mine and "Claimed by" not in mine
    for other in (Client(), logged_in(make_user())):
        html = other.get(PAGE).content.decode()
        assert "claim pending" not in html and "wei.example.org" not in html
        assert "Claimed by" not in html


def test_a_bad_profile_link_is_refused_with_a_reason(catalog: Catalog, user: User) -> None:
    response = logged_in(user).post(
        f"{PAGE}/claim", {"profile_url": "javascript:alert(1)"}, follow=True
    )
    assert "must be a web address starting with https://" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_confirmed_page_shows_the_person(
    client: Client, catalog: Catalog, confirmed: Claim
) -> None:
    html = client.get(PAGE).content.decode()
    assert "Claimed by <strong>wei</strong>" in html
    assert '<a href="https://orcid.org/0000-0002-1825-0097" rel="me nofollow ugc noopener">' in html
    assert "This is me" not in html and "Not me" not in html


def test_the_claimant_changes_the_profile_link(catalog: Catalog, confirmed: Claim) -> None:
    claimant = logged_in(confirmed.user)
    page = claimant.get(PAGE).content.decode()
    assert "This is your page" in page and 'href="/accounts/profile/"' in page
    bad = claimant.post(f"/claims/{confirmed.pk}/profile", {"profile_url": "ftp://x"}, follow=True)
    assert "must be a web address" in bad.content.decode()
    claimant.post(f"/claims/{confirmed.pk}/profile", {"profile_url": "https://wei.example.org/"})
    assert 'href="https://wei.example.org/"' in Client().get(PAGE).content.decode()


def test_not_me_takes_a_paper_off_the_claimed_page_and_undo_puts_it_back(
    client: Client, catalog: Catalog, confirmed: Claim
) -> None:
    paper = catalog.paper("2202.00003")
    claimant = logged_in(confirmed.user)
    html = claimant.get(PAGE).content.decode()
    assert html.count(">Not me</button>") == 6
    action = f"/claims/{confirmed.pk}/papers/{paper.arxiv_id}"
    response = claimant.post(action, {"on": "1", "next": "/authors/Wei%20Wang?page=1"})
    assert response.status_code == 302 and response["Location"] == "/authors/Wei%20Wang?page=1"
    public = client.get(PAGE).content.decode()
    assert paper.title not in public and "5 papers" in public
    assert "<title>2022: 2 papers</title>" in public
    # The paper keeps its author everywhere else.
    assert (
        '<a href="/authors/Wei%20Wang">Wei Wang</a>'
        in client.get(f"/papers/{paper.arxiv_id}").content.decode()
    )
    mine = claimant.get(PAGE).content.decode()
    assert "1 paper you said is not yours" in mine and paper.title in mine
    claimant.post(action, {"on": "0"})
    assert paper.title in client.get(PAGE).content.decode()


def test_only_the_claimant_can_say_not_me(
    client: Client, catalog: Catalog, confirmed: Claim, make_user: Callable[..., User]
) -> None:
    action = f"/claims/{confirmed.pk}/papers/2202.00003"
    assert logged_in(make_user()).post(action, {"on": "1"}).status_code == 403
    anonymous = client.post(action, {"on": "1"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert not Exclusion.objects.exists()
    assert logged_in(make_user()).post("/claims/999/papers/2202.00003").status_code == 404


def test_anonymous_people_are_sent_to_log_in(client: Client, catalog: Catalog) -> None:
    for action in ("claim", "follow"):
        response = client.post(f"{PAGE}/{action}")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert not Claim.objects.exists() and not Interest.objects.exists()
    assert client.get(f"{PAGE}/claim").status_code in (302, 405)


def test_following_from_the_author_page(catalog: Catalog, user: User) -> None:
    reader = logged_in(user)
    assert re.search(r'aria-pressed="false">Follow</button>', reader.get(PAGE).content.decode())
    reader.post(f"{PAGE}/follow", {"on": "1"})
    interest = Interest.objects.get()
    assert (interest.user, interest.kind, interest.value) == (user, "author", catalog.wei.key)
    assert 'aria-pressed="true">Unfollow</button>' in reader.get(PAGE).content.decode()
    reader.post(f"{PAGE}/follow", {"on": "0"})
    assert not Interest.objects.exists()


def test_the_profile_lists_claims_with_their_status(
    catalog: Catalog, confirmed: Claim, user: User, staff: User
) -> None:
    from paperfeed.authors.services import claim_create
    from tests.community.factories import make_paper

    make_paper("2401.00001", authors=["W. Wang"])
    variant = catalog.wei.__class__.objects.get(name="W. Wang")
    claim_create(user=user, author=variant)
    html = logged_in(user).get("/accounts/profile/").content.decode()
    assert "Claimed authors" in html
    assert '<a href="/authors/Wei%20Wang">My papers as Wei Wang</a>' in html
    assert "confirmed" in html and "claim pending" in html
    pending = Claim.objects.get(author=variant)
    logged_in(user).post(f"/claims/{pending.pk}/withdraw")
    assert not Claim.objects.filter(pk=pending.pk).exists()
    assert "Claimed authors" in logged_in(staff).get("/accounts/profile/").content.decode()


def test_the_page_takes_a_bounded_number_of_queries(
    catalog: Catalog, confirmed: Claim, django_assert_max_num_queries: Any
) -> None:
    claimant = logged_in(confirmed.user)
    with django_assert_max_num_queries(11):
        assert claimant.get(PAGE).status_code == 200


def test_a_confirmed_page_lists_the_collections_the_visitor_may_see(
    client: Client, catalog: Catalog, confirmed: Claim
) -> None:
    from paperfeed.collections.services import collection_create

    collection_create(user=confirmed.user, title="Graph reading list")
    collection_create(user=confirmed.user, title="Secret drafts", visibility="private")
    public = client.get(PAGE).content.decode()
    assert 'href="/collections/wei/graph-reading-list"' in public
    assert "Secret drafts" not in public
    own = logged_in(confirmed.user).get(PAGE).content.decode()
    assert "Secret drafts" in own and "· private" in own
