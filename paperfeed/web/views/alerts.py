"""Alerts on saved searches: turned on, changed and stopped from the profile or the search
page, and stopped from a link in an email without logging in."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.accounts.models import SavedSearch
from paperfeed.alerts.models import Alert
from paperfeed.alerts.services import (
    alert_feed_renew,
    alert_set,
    alert_stop,
    alerts_email_stop,
    search_alert_save,
)
from paperfeed.alerts.tokens import StopTokenError, stop_token_read
from paperfeed.digests.services import (
    ADDRESS_ASKED,
    ADDRESS_LIMITED,
    NO_ADDRESS,
    alerts_address_ensure,
)
from paperfeed.web.http import back_url, login_required_action

PROFILE = "/accounts/profile/"


def _choices(request: HttpRequest) -> tuple[str, bool, bool]:
    """Frequency, by email, by feed: from a form's `frequency` and its `email` and `feed`
    boxes (a form without them means the feed only)."""
    frequency = request.POST.get("frequency", Alert.DAILY)
    by_email = request.POST.get("email") == "on"
    by_feed = request.POST.get("feed") == "on" or "channels" not in request.POST
    return frequency, by_email, by_feed


def _announce(request: AuthenticatedHttpRequest, alert: Alert) -> None:
    parts = []
    if alert.by_feed:
        parts.append("new matching papers show in its private feed (link on your profile)")
    if alert.by_email:
        address = alerts_address_ensure(user=request.user)
        if address == ADDRESS_ASKED:
            parts.append(
                f"we sent a link to {request.user.email}: confirm it and the matches are emailed"
            )
        elif address == NO_ADDRESS:
            parts.append("add an email address to your account to get them by email")
        elif address == ADDRESS_LIMITED:
            parts.append(
                f"{request.user.email} had several confirmation emails this hour; "
                "turn email on again in an hour to get a new link"
            )
        else:
            parts.append(f"they are emailed {alert.frequency} (or in your digest)")
    messages.success(request, "Alert on: " + "; ".join(parts) + ".")


@require_POST
@login_required_action
def alert_set_view(request: AuthenticatedHttpRequest, search_id: int) -> HttpResponse:
    """Turn on (or change) a saved search's alert."""
    frequency, by_email, by_feed = _choices(request)
    try:
        alert = alert_set(user=request.user, search_id=search_id, frequency=frequency,
                          by_email=by_email, by_feed=by_feed)  # fmt: skip
    except SavedSearch.DoesNotExist:
        raise Http404("No such saved search.") from None
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        _announce(request, alert)
    return redirect(back_url(request, PROFILE))


@require_POST
@login_required_action
def search_alert_save_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The search page's "Save and alert me"."""
    frequency, by_email, by_feed = _choices(request)
    try:
        alert = search_alert_save(
            user=request.user, query=request.POST.get("query", ""),
            name=request.POST.get("name", ""), frequency=frequency,
            by_email=by_email, by_feed=by_feed,
        )  # fmt: skip
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        _announce(request, alert)
    return redirect(back_url(request, "/search"))


@require_POST
@login_required_action
def alert_stop_view(request: AuthenticatedHttpRequest, search_id: int) -> HttpResponse:
    stopped = alert_stop(user=request.user, search_id=search_id)
    messages.success(request, "Alert stopped." if stopped else "That alert was already off.")
    return redirect(back_url(request, PROFILE))


@require_POST
@login_required_action
def alert_renew_view(request: AuthenticatedHttpRequest, search_id: int) -> HttpResponse:
    """A new private feed address; the old one stops working."""
    try:
        alert_feed_renew(user=request.user, search_id=search_id)
    except Alert.DoesNotExist:
        raise Http404("This saved search has no alert.") from None
    messages.success(request, "New feed address made; the old one no longer works.")
    return redirect(back_url(request, PROFILE))


@csrf_exempt  # the token is the credential; RFC 8058 one-click POSTs carry no CSRF token
def alert_email_stop(request: HttpRequest, token: str) -> HttpResponse:
    """A link in an alert email: GET shows a button (a mail scanner that fetches links stops
    nothing), POST stops emailing the alerts it names."""
    try:
        alert_ids = stop_token_read(token)
    except StopTokenError as exc:
        return render(request, "web/alert_link_error.html", {"reason": str(exc)}, status=400)
    if request.method == "POST":
        stopped = alerts_email_stop(alert_ids=alert_ids)
        return render(request, "web/alert_stop_done.html", {"alerts": stopped})
    names = list(SavedSearch.objects.filter(alert__id__in=alert_ids).values_list("name", flat=True))
    return render(request, "web/alert_stop.html", {"token": token, "names": names})
