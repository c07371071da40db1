"""Sign up, log in (with a clear page when attempts are locked out), and the profile page."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.accounts.models import ApiToken
from paperfeed.accounts.selectors import library_papers, saved_searches
from paperfeed.accounts.tokens import TokenError, api_token_create, api_token_revoke, api_tokens
from paperfeed.alerts.selectors import alerts_by_search
from paperfeed.community.selectors import user_submissions, user_voted_papers
from paperfeed.web.forms import SignupForm
from paperfeed.web.http import login_required_action
from paperfeed.web.limits import signup_refused

PROFILE_LIST = 50


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("profile")
    if request.method == "POST" and (refused := signup_refused(request)):
        return refused
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # The first backend is Django's (ModelBackend); axes only watches failed logins.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Your account is ready.")
        nxt = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
        # Without a page to return to, a new reader picks what they read, for "For you".
        return redirect(nxt if nxt and safe else "for_you_setup")
    return render(
        request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers once an account or address has failed to log in too often
    (AXES_LOCKOUT_CALLABLE): the login page again, saying why and for how long."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {
        "form": AuthenticationForm(request, data=None),
        "locked_out": True,
        "cool_off_minutes": minutes,
    }
    return render(request, "accounts/login.html", context, status=429)


@login_required
def profile(request: AuthenticatedHttpRequest, **extra: Any) -> HttpResponse:
    user = request.user
    context = {
        "nav": "profile",
        "library": list(library_papers(user=user)[:PROFILE_LIST]),
        "voted": list(user_voted_papers(user=user)[:PROFILE_LIST]),
        "submissions": list(user_submissions(user=user)[:PROFILE_LIST]),
        "searches": list(saved_searches(user=user)),
        "alerts": alerts_by_search(user=user),
        "tokens": list(api_tokens(user=user)),
        **extra,
    }
    return render(request, "accounts/profile.html", context)


@require_POST
@login_required_action
def api_token_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create a token and show it once, in this response: it is never stored, so it is not put
    in a message or the session either."""
    try:
        created = api_token_create(user=request.user, name=request.POST.get("name", ""))
    except TokenError as exc:
        return profile(request, token_error=str(exc))
    return profile(request, new_token=created.secret, new_token_name=created.token.name)


@require_POST
@login_required_action
def api_token_delete(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    try:
        api_token_revoke(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("There is no such token.") from None
    messages.success(request, "Token revoked: requests that send it are refused from now on.")
    return redirect("profile")
