"""Alerts on your saved searches (authenticated): turned on or changed, and stopped."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404
from ninja import Path, Router, Status
from ninja.errors import HttpError

from paperfeed.accounts.auth import AnyUser
from paperfeed.accounts.models import SavedSearch as SavedSearchModel
from paperfeed.alerts.models import Alert as AlertModel
from paperfeed.alerts.services import alert_set, alert_stop
from paperfeed.api.auth import AUTH, AuthedRequest
from paperfeed.api.common import WRITE_ERRORS, errors
from paperfeed.api.schemas import Alert, AlertIn
from paperfeed.api.throttling import write_throttles
from paperfeed.digests.rendering import absolute
from paperfeed.digests.services import alerts_address_ensure

router = Router(tags=["accounts"], auth=AUTH)
ROW_ID_MAX = 2**63 - 1  # the largest id a database row can have (a larger one is a 422)
SearchId = Annotated[
    int, Path(ge=1, le=ROW_ID_MAX, description="The saved search's number (`id`).")
]


def alert_payload(alert: AlertModel, *, email_status: str | None = None) -> dict[str, Any]:
    from django.urls import reverse

    feed = absolute(reverse("feed_alert", args=[alert.feed_secret, "atom"]))
    return {
        "frequency": alert.frequency,
        "email": alert.by_email,
        "feed": alert.by_feed,
        "feedUrl": feed if alert.by_feed else None,
        "emailStatus": email_status,
    }


def alert_apply(*, user: AnyUser, search_id: int, wanted: AlertIn) -> dict[str, Any]:
    """Turn the alert on or change it; with email, make sure the address is confirmed."""
    try:
        alert = alert_set(user=user, search_id=search_id, frequency=wanted.frequency,
                          by_email=wanted.email, by_feed=wanted.feed)  # fmt: skip
    except SavedSearchModel.DoesNotExist:
        raise Http404(f"You have no saved search {search_id}.") from None
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    status = alerts_address_ensure(user=user) if alert.by_email else None
    return alert_payload(alert, email_status=status)


@router.put(
    "/saved_searches/{int:search_id}/alert",
    response={200: Alert, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary="Alert me about a saved search",
    operation_id="alert_set",
)
def alert_put(request: AuthedRequest, search_id: SearchId, payload: AlertIn) -> dict[str, Any]:
    """Report the papers that match this saved search from now on, daily or weekly, by email,
    in a private feed, or both. Calling it again changes the alert."""
    return alert_apply(user=request.auth, search_id=search_id, wanted=payload)


@router.delete(
    "/saved_searches/{int:search_id}/alert",
    response={204: None, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary="Stop a saved search's alert",
    operation_id="alert_stop",
)
def alert_delete(request: AuthedRequest, search_id: SearchId) -> Status[None]:
    """Stop the alert (its feed stops too); the saved search stays."""
    if not alert_stop(user=request.auth, search_id=search_id):
        raise Http404(f"Your saved search {search_id} has no alert (or you have no such search).")
    return Status(204, None)
