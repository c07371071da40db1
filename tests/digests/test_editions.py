"""Which period an edition covers, with a pinned clock: time-zone edges, ISO week boundaries,
empty days and weekends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from paperfeed.digests.editions import default_day, edition_period, edition_prepare
from paperfeed.digests.models import Edition, Subscription
from tests.community.factories import feature, make_paper
from tests.digests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("now", "zone", "expected"),
    [
        (datetime(2026, 3, 15, 6, 30, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 13)),
        (datetime(2026, 3, 15, 7, 30, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 14)),
        (datetime(2026, 3, 14, 23, 30, tzinfo=UTC), "Asia/Tokyo", date(2026, 3, 14)),
        (datetime(2026, 3, 14, 14, 30, tzinfo=UTC), "Asia/Tokyo", date(2026, 3, 13)),
        (datetime(2026, 3, 15, 0, 0, tzinfo=UTC), "UTC", date(2026, 3, 14)),
    ],
)
def test_the_daily_edition_is_yesterday_in_the_sites_time_zone(
    settings: Any, now: datetime, zone: str, expected: date
) -> None:
    settings.TIME_ZONE = zone
    with time_machine.travel(now, tick=False):
        assert default_day("daily") == expected


@pytest.mark.parametrize(
    ("now", "slug", "start"),
    [
        (datetime(2026, 1, 5, 7, tzinfo=UTC), "2026-W01", date(2025, 12, 29)),  # across new year
        (datetime(2026, 3, 16, 7, tzinfo=UTC), "2026-W11", date(2026, 3, 9)),
        (datetime(2026, 3, 15, 23, tzinfo=UTC), "2026-W10", date(2026, 3, 2)),  # still Sunday
        (datetime(2021, 1, 4, 6, tzinfo=UTC), "2020-W53", date(2020, 12, 28)),  # a 53-week year
    ],
)
def test_the_weekly_edition_is_last_iso_week(now: datetime, slug: str, start: date) -> None:
    with time_machine.travel(now, tick=False):
        period = edition_period("weekly", default_day("weekly"))
    assert (period.slug, period.start) == (slug, start)


def test_a_paper_featured_late_in_the_evening_belongs_to_the_local_day(
    settings: Any, subscribe_confirmed: Callable[..., Subscription]
) -> None:
    settings.TIME_ZONE = "America/New_York"
    paper = make_paper("2603.00009", title="Late night results")
    feature(paper, date(2026, 3, 14), upvotes=3)
    # 01:00 UTC on the 15th is still the 14th in New York: the daily edition is the 13th.
    with time_machine.travel(datetime(2026, 3, 15, 1, tzinfo=UTC), tick=False):
        assert edition_prepare(frequency="daily", day=default_day("daily")).edition is None
    with time_machine.travel(datetime(2026, 3, 15, 5, tzinfo=UTC), tick=False):
        prepared = edition_prepare(frequency="daily", day=default_day("daily"))
    assert prepared.edition is not None and prepared.period.slug == "2026-03-14"
    assert prepared.edition.content["top"][0]["id"] == paper.pk


def test_a_day_with_no_papers_is_not_sent(
    clock: Any, papers: dict[str, Any], smtp: SmtpServer, settings: Any,
    subscribe_confirmed: Callable[..., Subscription],
) -> None:  # fmt: skip
    subscribe_confirmed("reader@example.org")
    out = StringIO()
    call_command("digest_send", "--period", "daily", "--date", "2026-03-11", stdout=out)
    assert "daily 2026-03-11: not sent (no papers in this period)" in out.getvalue()
    assert not Edition.objects.exists() and not smtp.mailbox.received
    out = StringIO()
    call_command("digest_send", "--period", "daily", "--date", "2026-03-16", stdout=out)
    assert "try --date 2026-03-14" in out.getvalue()  # where an older catalogue has papers

    settings.DIGEST_SKIP_EMPTY = False
    call_command("digest_send", "--period", "daily", "--date", "2026-03-11", stdout=StringIO())
    assert smtp.mailbox.copies() == {"reader@example.org": 1}


def test_weekdays_only_skips_saturday_and_sunday(
    clock: Any, papers: dict[str, Any], settings: Any
) -> None:
    settings.DIGEST_WEEKDAYS_ONLY = True
    assert edition_prepare(frequency="daily", day=date(2026, 3, 14)).reason.startswith("weekend")
    assert edition_prepare(frequency="daily", day=date(2026, 3, 13)).edition is not None
    assert edition_prepare(frequency="weekly", day=date(2026, 3, 14)).edition is not None


def test_the_weekly_edition_covers_the_whole_week(
    clock: Any, papers: dict[str, Any], subscribe_confirmed: Callable[..., Subscription]
) -> None:
    subscribe_confirmed("daily@example.org")
    subscribe_confirmed("weekly@example.org", frequency="weekly")
    prepared = edition_prepare(frequency="weekly", day=date(2026, 3, 11))
    assert prepared.edition is not None and prepared.deliveries == 1
    top = [row["id"] for row in prepared.edition.content["top"]]
    assert top == [papers["b"].pk, papers["a"].pk, papers["c"].pk]  # 13 and 14 March, by votes


def test_subscribers_confirmed_after_composing_wait_for_the_next_edition(
    clock: Any, papers: dict[str, Any], subscribe_confirmed: Callable[..., Subscription]
) -> None:
    subscribe_confirmed("early@example.org")
    assert edition_prepare(frequency="daily", day=date(2026, 3, 14)).deliveries == 1
    subscribe_confirmed("late@example.org")
    again = edition_prepare(frequency="daily", day=date(2026, 3, 14))
    assert not again.created and again.edition is not None
    assert again.edition.deliveries.count() == 1


def test_a_bad_date_is_explained() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="use YYYY-MM-DD"):
        call_command("digest_send", "--date", "14/03/2026")
