"""For you: recent papers ranked by the reader's own model, "not interested", and the cold-start
page (categories, authors, a list of ids or a BibTeX file)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.papers.selectors import paper_get_or_404
from paperfeed.recommend.forms import WINDOW_DAYS, WINDOWS, FollowForm, ImportForm, window_of
from paperfeed.recommend.importing import (
    InterestError,
    interest_add,
    interest_remove,
    library_import_all,
)
from paperfeed.recommend.selectors import (
    for_you_recommendations,
    reader_interests,
    reader_signal,
    recent_until,
)
from paperfeed.recommend.services import dismissal_set
from paperfeed.web.forms import error_messages
from paperfeed.web.http import back_url, is_htmx, login_required_action

PAGE = 50


@login_required
def for_you(request: AuthenticatedHttpRequest) -> HttpResponse:
    window = window_of(request.GET.get("window"))
    until = recent_until()
    since = until - timedelta(days=WINDOW_DAYS[window])
    # Followed authors' new papers come first whatever the library holds, then the model's picks.
    recs = for_you_recommendations(user=request.user, since=since, until=until, limit=PAGE)
    context = {
        "nav": "for_you",
        "recs": recs,
        "window": window,
        "windows": WINDOWS,
        "since": since,
        "until": until,
        "signal": reader_signal(user=request.user),
    }
    return render(request, "web/for_you.html", context)


@require_POST
@login_required_action
def dismiss(request: AuthenticatedHttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_get_or_404(arxiv_id)
    on = request.POST.get("on", "1") not in ("0", "false", "")
    dismissed = dismissal_set(user=request.user, paper=paper, on=on)
    back = back_url(request, reverse("for_you"))
    if is_htmx(request):
        return render(
            request,
            "web/for_you_dismiss.html",
            {"paper": paper, "dismissed": dismissed, "next": back},
        )
    if dismissed:
        messages.success(request, f"Hidden: “{paper.title}”. It will not be recommended again.")
    return redirect(back)


@login_required
def setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "web/for_you_setup.html", _setup_context(request))


def _setup_context(request: AuthenticatedHttpRequest, **extra: object) -> dict[str, object]:
    return {
        "nav": "for_you",
        "interests": reader_interests(user=request.user),
        "follow_form": FollowForm(),
        "import_form": ImportForm(),
        "signal": reader_signal(user=request.user),
        **extra,
    }


@require_POST
@login_required_action
def follow(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FollowForm(request.POST)
    if form.is_valid():
        try:
            interest = interest_add(
                user=request.user, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
            )
        except InterestError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Following {interest.label}.")
    else:
        messages.error(request, "Type a category (like cs.LG) or an author's name to follow.")
    return redirect("for_you_setup")


@require_POST
@login_required_action
def unfollow(request: AuthenticatedHttpRequest, interest_id: int) -> HttpResponse:
    interest_remove(user=request.user, interest_id=interest_id)
    return redirect("for_you_setup")


@require_POST
@login_required_action
def library_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for message in error_messages(form):
            messages.error(request, message)
        return redirect("for_you_setup")
    report = library_import_all(
        user=request.user, ids=form.cleaned_data["ids"], bibtex=form.cleaned_data["bibtex"]
    )
    return render(request, "web/for_you_setup.html", _setup_context(request, report=report))
