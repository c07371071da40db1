"""The `paperfeed alerts` commands: add, list, check, stop; bad input gets a message."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from paperfeed.alerts.models import Alert, AlertMatch
from paperfeed.papers.ingest import paper_upsert
from tests.papers.factories import record

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_an_alert_is_added_checked_listed_and_stopped(settings: object) -> None:
    get_user_model().objects.create_user("ada", "", "pw-123456789")
    added = run("alerts_add", "--user", "ada", "--weekly", "diffusion models cat:cs.CV")
    alert = Alert.objects.get()
    assert alert.frequency == "weekly" and alert.by_feed and not alert.by_email
    assert f"/feeds/alerts/{alert.feed_secret}.atom" in added

    paper_upsert(record=record("2611.00001", title="Latent diffusion models", categories=["cs.CV"]))
    assert run("alerts_check").strip().endswith("1 new papers: 1 matches")
    assert AlertMatch.objects.count() == 1

    [row] = [json.loads(line) for line in run("alerts_list", "--json").splitlines()]
    assert row["user"] == "ada" and row["matches"] == 1 and row["frequency"] == "weekly"
    assert "diffusion models cat:cs.CV" in run("alerts_list", "--user", "ada")
    assert run("alerts_list", "--user", "nobody") == "no alerts\n"

    assert "stopped" in run("alerts_stop", "--user", "ada", str(alert.search_id))
    assert not Alert.objects.exists()


def test_bad_input_gets_a_clear_message() -> None:
    with pytest.raises(CommandError, match="No account named 'nobody'"):
        run("alerts_add", "--user", "nobody", "diffusion")
    get_user_model().objects.create_user("ada", "", "pw-123456789")
    with pytest.raises(CommandError, match="nothing to save"):
        run("alerts_add", "--user", "ada", "   ")
    with pytest.raises(CommandError, match="has no alert"):
        run("alerts_stop", "--user", "ada", "99")
