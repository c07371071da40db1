"""Author pages: the papers, papers per year, co-authors; claiming a page ("This is me"),
"not me" on a claimed page, and following an author."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.authors.models import Claim
from paperfeed.authors.selectors import author_page, claim_get
from paperfeed.authors.services import (
    ClaimError,
    claim_create,
    claim_profile_set,
    claim_withdraw,
    exclusion_set,
)
from paperfeed.collections.selectors import collections_visible_of
from paperfeed.papers.models import Author
from paperfeed.papers.selectors import author_get, paper_get_or_404
from paperfeed.recommend.importing import InterestError, interest_add, interest_remove
from paperfeed.recommend.models import Interest
from paperfeed.recommend.selectors import interest_of
from paperfeed.web.charts import year_bars
from paperfeed.web.http import back_url, login_required_action

AUTHOR_PAGE = 25


def _author_or_404(name: str) -> Author:
    author = author_get(name=name)
    if author is None:
        raise Http404(f"No author named “{name[:200]}” in this catalog.")
    return author


def author_detail(request: HttpRequest, name: str) -> HttpResponse:
    author = _author_or_404(name)
    viewer = request.user if request.user.is_authenticated else None
    shown = author_page(author=author, viewer=viewer)
    page = Paginator(shown.papers, AUTHOR_PAGE).get_page(request.GET.get("page"))
    following = viewer is not None and interest_of(
        user=viewer, kind=Interest.AUTHOR, value=author.key
    ) is not None  # fmt: skip
    context = {
        "author": author,
        "page": page,
        "shown": shown,
        "claim": shown.claim,
        "own_claim": shown.own_claim,
        "is_claimant": shown.is_claimant,
        "years_chart": year_bars(shown.years),
        "coauthors": shown.coauthors,
        "following": following,
        # A confirmed claimant's collections, as the viewer may see them listed.
        "collections": (
            collections_visible_of(owner=shown.claim.user, viewer=viewer)
            if shown.claim is not None  # the confirmed claim
            else []
        ),
    }
    return render(request, "web/author.html", context)


def _back_to(request: HttpRequest, author: Author) -> HttpResponse:
    return redirect(back_url(request, reverse("author", args=[author.name])))


@require_POST
@login_required_action
def author_claim(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    author = _author_or_404(name)
    try:
        claim = claim_create(
            user=request.user, author=author, profile_url=request.POST.get("profile_url", "")
        )
    except ClaimError as exc:
        messages.error(request, str(exc))
    else:
        if claim.status == Claim.PENDING:
            messages.success(
                request,
                f"Claim sent: once staff confirm that you are {author.name}, this page shows "
                "your name. Until then only you see the claim.",
            )
    return _back_to(request, author)


@require_POST
@login_required_action
def author_follow(request: AuthenticatedHttpRequest, name: str) -> HttpResponse:
    author = _author_or_404(name)
    if request.POST.get("on", "1") in ("0", "false", ""):
        interest = interest_of(user=request.user, kind=Interest.AUTHOR, value=author.key)
        if interest is not None:
            interest_remove(user=request.user, interest_id=interest.pk)
        messages.success(request, f"You no longer follow {author.name}.")
    else:
        try:
            interest_add(user=request.user, kind=Interest.AUTHOR, text=author.name)
        except InterestError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Following {author.name}: their new papers appear in For you."
            )
    return _back_to(request, author)


def _claim_or_404(claim_id: int) -> Claim:
    claim = claim_get(claim_id=claim_id)
    if claim is None:
        raise Http404("There is no such claim.")
    return claim


@require_POST
@login_required_action
def claim_profile(request: AuthenticatedHttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(claim_id)
    try:
        claim_profile_set(
            user=request.user, claim=claim, profile_url=request.POST.get("profile_url", "")
        )
    except ClaimError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Profile link saved.")
    return _back_to(request, claim.author)


@require_POST
@login_required_action
def claim_remove(request: AuthenticatedHttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim_or_404(claim_id)
    claim_withdraw(user=request.user, claim=claim)
    messages.success(request, f"Your claim to be {claim.author.name} is withdrawn.")
    return redirect(back_url(request, reverse("profile")))


@require_POST
@login_required_action
def claim_paper(request: AuthenticatedHttpRequest, claim_id: int, arxiv_id: str) -> HttpResponse:
    """Not me: on=1 takes the paper off the claimed page, on=0 puts it back."""
    claim = _claim_or_404(claim_id)
    paper = paper_get_or_404(arxiv_id)
    on = request.POST.get("on", "1") not in ("0", "false", "")
    try:
        off = exclusion_set(user=request.user, claim=claim, paper=paper, on=on)
    except ClaimError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"“{paper.title}” is off this page; it stays in the catalog."
            if off
            else f"“{paper.title}” is back on this page.",
        )
    return _back_to(request, claim.author)
