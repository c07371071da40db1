"""Previewing a digest: `paperfeed digest preview` and the staff page; picks for readers."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from paperfeed.accounts.models import LibraryEntry
from paperfeed.cli import translate
from paperfeed.digests.editions import edition_prepare
from paperfeed.digests.models import Edition, Subscription
from paperfeed.digests.picks import picks_for
from tests.digests.conftest import DAY

pytestmark = pytest.mark.django_db


def test_the_cli_maps_digest_verbs() -> None:
    assert translate(["digest", "send", "--period", "daily"]) == [
        "digest_send",
        "--period",
        "daily",
    ]
    assert translate(["digest", "preview", "--email", "a@b.org"])[0] == "digest_preview"


def test_preview_prints_the_digest_for_an_address(
    clock: Any, papers: dict[str, Any], subscribe_confirmed: Callable[..., Subscription]
) -> None:
    subscribe_confirmed("nlp@example.org", categories="cs.CL")
    out = StringIO()
    call_command("digest_preview", "--email", "NLP@example.org", "--date", "2026-03-14", stdout=out)
    text = out.getvalue()
    assert text.startswith("Subject: Daily papers, 14 March 2026")
    assert "Graph networks for weather" in text and "PICKED FOR YOU" in text
    assert not Edition.objects.exists()  # composed for the preview only

    html = StringIO()
    call_command("digest_preview", "--email", "x@example.org", "--period", "weekly", "--html",
                 stdout=html)  # fmt: skip
    assert "Weekly papers" in html.getvalue() and 'style="' in html.getvalue()


def test_preview_refuses_a_bad_address() -> None:
    with pytest.raises(CommandError, match="not an email address"):
        call_command("digest_preview", "--email", "nope")


def test_staff_preview_any_edition_for_any_subscriber(
    clock: Any, papers: dict[str, Any], client: Client, staff: User,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:  # fmt: skip
    subscribe_confirmed("nlp@example.org", categories="cs.CL")
    edition_prepare(frequency="daily", day=DAY)
    assert client.get("/digests/preview?email=nlp@example.org").status_code == 302  # to login
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/digests/preview").status_code == 200  # the form
    page = client.get("/digests/preview", {"email": "nlp@example.org", "date": "2026-03-14"})
    assert page.status_code == 200
    assert b"Graph networks for weather" in page.content and b"Picked for you" in page.content
    text = client.get("/digests/preview", {"email": "nlp@example.org", "part": "text"})
    assert text["Content-Type"].startswith("text/plain")
    bad = client.get("/digests/preview", {"email": "nlp@example.org", "date": "14/03"})
    assert bad.status_code == 400 and b"2026-03-14" in bad.content


def test_a_reader_with_a_library_gets_recommendations_or_neighbours(
    clock: Any, papers: dict[str, Any], make_user: Callable[..., User],
    subscribe_confirmed: Callable[..., Subscription], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from paperfeed.recommend import selectors as recommend

    ada = make_user("ada", email="ada@example.org")
    LibraryEntry.objects.create(user=ada, paper=papers["d"])
    subscription = subscribe_confirmed("ada@example.org", user=ada, categories="cs.CL")
    edition = edition_prepare(frequency="daily", day=DAY).edition
    assert edition is not None

    pick = recommend.Recommendation(paper=papers["e"], score=1.0, reason="close to your library")
    monkeypatch.setattr(recommend, "recommendations_for", lambda **kw: [pick])
    assert [(p.paper, p.reason) for p in picks_for(subscription=subscription, edition=edition)] == [
        (papers["e"], "close to your library")
    ]
    # No signal from the engine: the categories' newest papers.
    monkeypatch.setattr(recommend, "recommendations_for", lambda **kw: [])
    found = picks_for(subscription=subscription, edition=edition)
    assert {p.paper.pk for p in found} <= {papers["d"].pk, papers["e"].pk}


def test_the_admin_lists_subscriptions_editions_and_deliveries(
    clock: Any, papers: dict[str, Any], client: Client, make_user: Callable[..., User],
    subscribe_confirmed: Callable[..., Subscription],
) -> None:  # fmt: skip
    subscribe_confirmed("reader@example.org")
    edition_prepare(frequency="daily", day=DAY)
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    for model in ("subscription", "edition", "delivery"):
        response = client.get(f"/admin/digests/{model}/")
        assert response.status_code == 200, model
    assert b"reader@example.org" in client.get("/admin/digests/subscription/").content
