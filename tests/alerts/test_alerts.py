"""Saved-search alerts across three simulated days of ingests (a pinned clock): only papers
that arrived since the last run match, nothing twice, a late arrival once, a stopped alert
stops, and the private feed checks its secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from paperfeed.accounts.models import SavedSearch
from paperfeed.accounts.services import saved_search_delete
from paperfeed.alerts.models import Alert, AlertMatch
from paperfeed.alerts.services import alert_feed_renew, alert_set, alert_stop, alerts_check
from paperfeed.ops.jobs import jobs_selected
from paperfeed.papers.ingest import paper_upsert
from tests.papers.factories import record

pytestmark = pytest.mark.django_db
DAY0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
QUERY = "diffusion models cat:cs.CV"


def ingest(arxiv_id: str, title: str, categories: list[str], **fields: Any) -> int:
    paper, _ = paper_upsert(record=record(arxiv_id, title=title, categories=categories, **fields))
    return paper.pk


def matched(alert: Alert) -> list[str]:
    return sorted(AlertMatch.objects.filter(alert=alert).values_list("paper__arxiv_id", flat=True))


@pytest.fixture
def alert() -> Alert:
    user = get_user_model().objects.create_user("ada", "ada@example.org", "pw-123456789")
    with time_machine.travel(DAY0, tick=False):
        # Stored before the alert was set: never reported.
        ingest("2611.00000", "Diffusion models before the alert", ["cs.CV"])
        search = SavedSearch.objects.create(user=user, name="diffusion", query=QUERY)
        return alert_set(user=user, search_id=search.pk)


def day(n: int, hour: int = 20) -> datetime:
    return DAY0 + timedelta(days=n, hours=hour - 9)


def test_three_days_of_ingests_report_each_new_match_once(alert: Alert) -> None:
    with time_machine.travel(day(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models for satellite images", ["cs.CV"])
        ingest("2611.00002", "Diffusion models for text", ["cs.CL"])  # not cs.CV
        ingest("2611.00003", "A survey of image segmentation", ["cs.CV"])  # no words
    summary = alerts_check(now=day(1))
    assert summary.papers == 3 and summary.matches == 1
    assert matched(alert) == ["2611.00001"]

    with time_machine.travel(day(2, 8), tick=False):
        ingest("2611.00004", "Video diffusion models", ["cs.CV", "cs.LG"])
        # A new version of a paper already reported: not reported again.
        ingest("2611.00001", "Latent diffusion models for satellite images, revised",
               ["cs.CV"], version=2)  # fmt: skip
        # A late arrival: an older paper stored only today is new here, reported once.
        ingest("2301.01234", "Diffusion models in medical imaging", ["cs.CV"],
               published=datetime(2023, 1, 3, tzinfo=UTC))  # fmt: skip
    alerts_check(now=day(2))
    assert matched(alert) == ["2301.01234", "2611.00001", "2611.00004"]
    # Running again with nothing new changes nothing.
    assert alerts_check(now=day(2, 21)).matches == 0
    assert AlertMatch.objects.filter(alert=alert).count() == 3

    with time_machine.travel(day(3, 8), tick=False):
        ingest("2611.00005", "Diffusion models for 3D scenes", ["cs.CV"])
    alert_stop(user=alert.search.user, search_id=alert.search_id)
    assert alerts_check(now=day(3)).alerts == 0
    assert not AlertMatch.objects.exists()  # a stopped alert's matches go with it


def test_an_alert_that_matched_nothing_stores_nothing(alert: Alert) -> None:
    with time_machine.travel(day(1, 8), tick=False):
        ingest("2611.00003", "A survey of image segmentation", ["cs.CV"])
    assert alerts_check(now=day(1)).matches == 0
    assert not AlertMatch.objects.exists()


def test_deleting_the_saved_search_stops_its_alert(alert: Alert) -> None:
    saved_search_delete(user=alert.search.user, search_id=alert.search_id)
    assert not Alert.objects.exists()


def test_filters_exclusions_and_phrases_hold(alert: Alert) -> None:
    user = alert.search.user
    search = SavedSearch.objects.create(
        user=user, name="strict", query='"score matching" -audio has:code'
    )
    strict = alert_set(user=user, search_id=search.pk, now=day(0, 10))
    with time_machine.travel(day(1, 8), tick=False):
        ingest("2611.00011", "Score matching for images", ["cs.LG"],
               abstract="We use score matching. Code: https://github.com/a/b")  # fmt: skip
        ingest("2611.00012", "Score matching for audio", ["cs.SD"],
               abstract="Score matching for audio. Code: https://github.com/a/c")  # fmt: skip
        ingest("2611.00013", "Score matching without code", ["cs.LG"])
    alerts_check(now=day(1))
    assert matched(strict) == ["2611.00011"]


def test_the_private_feed_checks_its_secret_and_a_renewed_one_answers_404(
    alert: Alert, client: Client
) -> None:
    with time_machine.travel(day(1, 8), tick=False):
        ingest("2611.00001", "Latent diffusion models for satellite images", ["cs.CV"])
    alerts_check(now=day(1))
    url = f"/feeds/alerts/{alert.feed_secret}.atom"
    body = client.get(url).content.decode()
    assert "Latent diffusion models for satellite images" in body
    assert "Alert: diffusion" in body
    assert client.get("/feeds/alerts/not-the-secret.atom").status_code == 404
    renewed = alert_feed_renew(user=alert.search.user, search_id=alert.search_id)
    assert client.get(url).status_code == 404
    assert client.get(f"/feeds/alerts/{renewed.feed_secret}.rss").status_code == 200


def test_the_profile_turns_an_alert_on_and_off(client: Client) -> None:
    user = get_user_model().objects.create_user("grace", "grace@example.org", "pw-123456789")
    search = SavedSearch.objects.create(user=user, name="graphs", query="graph networks")
    client.force_login(user)
    page = client.get("/accounts/profile/").content.decode()
    assert "Alert me" in page
    client.post(f"/searches/{search.pk}/alert", {"frequency": "weekly"})
    alert = Alert.objects.get(search=search)
    assert alert.frequency == "weekly" and alert.by_feed
    page = client.get("/accounts/profile/").content.decode()
    assert f"/feeds/alerts/{alert.feed_secret}.atom" in page and "Alert: weekly" in page
    client.post(f"/searches/{search.pk}/alert/stop")
    assert not Alert.objects.exists()
    other = get_user_model().objects.create_user("eve", "eve@example.org", "pw-123456789")
    theirs = SavedSearch.objects.create(user=other, name="x", query="x")
    assert client.post(f"/searches/{theirs.pk}/alert").status_code == 404


def test_the_worker_has_an_alerts_job() -> None:
    (job,) = jobs_selected(["alerts"])
    assert not job.per_host
