"""Email digests: subscribe (double opt-in), confirm, unsubscribe (a link or RFC 8058's
one-click POST), manage from the profile, and a staff preview of any edition."""

from __future__ import annotations

from datetime import date

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.digests.forms import PreferencesForm, SubscribeForm, email_clean
from paperfeed.digests.models import FREQUENCIES
from paperfeed.digests.preview import digest_preview
from paperfeed.digests.services import (
    RecipientLimited,
    subscription_confirm,
    subscription_leave,
    subscription_of,
    subscription_request,
    subscription_unsubscribe,
    subscription_update,
)
from paperfeed.digests.tokens import TokenError, confirm_token_read, unsubscribe_token_read
from paperfeed.web.forms import error_messages
from paperfeed.web.limits import subscribe_refused, too_many_requests


# No CSRF token: the box on every page is in pages cached for anonymous visitors, and a forged
# request can do no more than the form itself (send a confirmation email to an address).
@csrf_exempt
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (refused := subscribe_refused(request)):
        return refused
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription_request(email=data["email"], frequency=data["frequency"],
                                 categories=data["categories"], user=request.user)  # fmt: skip
        except RecipientLimited as exc:
            what = "subscription requests for that address"
            return too_many_requests(request, wait=exc.wait, what=what)
        else:
            return redirect("subscribe_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/subscribe.html", {"form": form, "nav": "subscribe"}, status=status)


def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/subscribe_sent.html")


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a mail scanner that fetches links confirms nothing."""
    try:
        if request.method == "POST":
            subscription = subscription_confirm(token=token)
            return render(request, "web/subscribe_done.html", {"subscription": subscription})
        wanted = confirm_token_read(token)
    except TokenError as exc:
        return _bad_link(request, str(exc))
    return render(request, "web/subscribe_confirm.html", {"wanted": wanted})


@csrf_exempt  # the token is the credential; RFC 8058 one-click POSTs carry no CSRF token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = subscription_unsubscribe(token=token)
            return render(request, "web/unsubscribe_done.html", {"subscription": subscription})
        unsubscribe_token_read(token)
    except TokenError as exc:
        return _bad_link(request, str(exc))
    return render(request, "web/unsubscribe.html", {"token": token})


@login_required
@require_POST
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The profile's digest section: change frequency or categories, or leave."""
    subscription = subscription_of(user=request.user)
    if subscription is None or not subscription.is_active:
        messages.error(request, "You have no active digest subscription.")
        return redirect("profile")
    if request.POST.get("action") == "leave":
        subscription_leave(subscription=subscription)
        messages.success(request, "You have unsubscribed from the digest.")
        return redirect("profile")
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error_messages(form)))
        return redirect("profile")
    subscription_update(subscription=subscription, frequency=form.cleaned_data["frequency"],
                        categories=form.cleaned_data["categories"])  # fmt: skip
    messages.success(request, "Your digest settings are saved.")
    return redirect("profile")


# The digest is an email: its CSS is inlined into style attributes, which the site's
# Content-Security-Policy forbids elsewhere. Staff only.
@csp_update({"style-src": [UNSAFE_INLINE]})
@staff_member_required
def preview(request: HttpRequest) -> HttpResponse:
    """?email=ADDRESS&period=daily|weekly&date=YYYY-MM-DD[&part=text]: the digest as that
    subscriber gets it (the edition is composed for the preview if it does not exist yet)."""
    if not request.GET.get("email"):
        return render(request, "web/digest_preview.html", {"query": request.GET})
    errors: list[str] = []
    frequency = request.GET.get("period") or None
    day = None
    if frequency is not None and frequency not in FREQUENCIES:
        errors.append("period must be daily or weekly")
    try:
        email = email_clean(request.GET["email"])
    except ValidationError as exc:
        errors.extend(exc.messages)
    if request.GET.get("date"):
        try:
            day = date.fromisoformat(request.GET["date"])
        except ValueError:
            errors.append("date must look like 2026-03-14")
    if errors:
        context = {"errors": errors, "query": request.GET}
        return render(request, "web/digest_preview.html", context, status=400)
    rendered = digest_preview(email=email, frequency=frequency, day=day)
    if request.GET.get("part") == "text":
        return HttpResponse(rendered.text, content_type="text/plain; charset=utf-8")
    return HttpResponse(rendered.html)


def _bad_link(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "web/digest_link_error.html", {"reason": reason}, status=400)
