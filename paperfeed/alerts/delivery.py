"""What an email carries of a reader's alerts: their new matches, each given to exactly one
message.

A message claims the matches it will list (`matches_claim` writes its key into `sent_in`) the
first time it is built; building it again (a retry, a sender restarted after a crash) reads the
same matches back, and no other message can take them. When the server has accepted it they
are marked emailed; when it fails for good they are released to the next message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from paperfeed.alerts.models import AlertMatch
from paperfeed.papers.models import Paper

# Papers listed per alert in one message; the rest are one click away (its search).
PER_ALERT = 10
DEFERRED = ("paper__title_raw", "paper__abstract_raw", "paper__authors_raw", "paper__versions")


@dataclass(frozen=True)
class AlertSection:
    alert_id: int
    name: str
    query: str
    papers: list[Paper]
    more: int  # matches beyond the ones listed


def _waiting(*, frequency: str, until: datetime) -> QuerySet[AlertMatch]:
    """Matches of email alerts of this frequency, found before `until`, in no message yet."""
    return AlertMatch.objects.filter(
        sent_in="", found_at__lt=until, alert__by_email=True, alert__frequency=frequency
    )


def readers_with_news(*, frequency: str, until: datetime) -> set[int]:
    """The users with at least one match waiting for a message."""
    rows = _waiting(frequency=frequency, until=until).values_list("alert__search__user_id")
    return {int(user_id) for (user_id,) in rows.distinct()}


def matches_claim(*, key: str, user_id: int, frequency: str, until: datetime) -> int:
    """Give the reader's waiting matches to the message `key`; how many it took."""
    waiting = _waiting(frequency=frequency, until=until).filter(alert__search__user_id=user_id)
    ids = list(waiting.values_list("id", flat=True))
    # `sent_in=""` again in the UPDATE itself: of two senders that read the same ids, the row
    # goes to the first that writes it (PostgreSQL re-checks it under the row lock).
    return AlertMatch.objects.filter(id__in=ids, sent_in="").update(sent_in=key)


def sections_of(*, key: str) -> list[AlertSection]:
    """The message's matches by alert (alerts by name), best matches first."""
    rows = (
        AlertMatch.objects.filter(sent_in=key)
        .select_related("alert__search", "paper")
        .defer(*DEFERRED)
        .order_by("alert_id", "-score", "paper_id")
    )
    grouped: dict[int, list[AlertMatch]] = {}
    for match in rows:
        grouped.setdefault(match.alert_id, []).append(match)
    sections = []
    for matches in grouped.values():
        search = matches[0].alert.search
        sections.append(
            AlertSection(
                alert_id=matches[0].alert_id,
                name=search.name,
                query=search.query,
                papers=[m.paper for m in matches[:PER_ALERT]],
                more=max(len(matches) - PER_ALERT, 0),
            )
        )
    return sorted(sections, key=lambda s: (s.name.lower(), s.alert_id))


def matches_sent(*, key: str, at: datetime) -> None:
    AlertMatch.objects.filter(sent_in=key, emailed_at__isnull=True).update(emailed_at=at)


def matches_release(*, key: str) -> None:
    """A message that will not be sent gives its matches back to the next one."""
    AlertMatch.objects.filter(sent_in=key, emailed_at__isnull=True).update(sent_in="")
