"""Writes: claims (made by readers, decided by staff), their profile links, and "not me".

The rules live here; the pages and the admin call these functions and show the errors' messages.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.authors.models import PROFILE_URL_MAX, Claim, Exclusion
from paperfeed.papers.models import Author, Authorship, Paper

LOGIN_NEEDED = "Log in to claim an author page."
# Pending claims cost staff time; a person has no reason to wait on more than a few at once.
MAX_PENDING = 10

_http_url = URLValidator(schemes=["http", "https"])


class ClaimError(ValueError):
    """A claim cannot be made or changed as asked; the message says why and what to do."""


def profile_url_clean(url: str) -> str:
    """The profile link as stored: an http(s) URL or ""; ClaimError for anything else."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > PROFILE_URL_MAX:
        raise ClaimError(f"That link is too long; use one under {PROFILE_URL_MAX} characters.")
    try:
        _http_url(url)
    except ValidationError:
        raise ClaimError(
            "The profile link must be a web address starting with https:// or http://, "
            "such as https://orcid.org/0000-0002-1825-0097."
        ) from None
    return url


def claim_create(*, user: AnyUser | None, author: Author, profile_url: str = "") -> Claim:
    """Claim to be `author`: a pending claim that staff confirm or reject. Claiming again
    returns the claim already made (its profile link updated when one is given)."""
    user = require_login(user, LOGIN_NEEDED)
    url = profile_url_clean(profile_url)
    mine = Claim.objects.filter(user=user, author=author).first()
    if mine is not None:
        if mine.status == Claim.REJECTED:
            raise ClaimError(
                f"Your claim to be {author.name} was not confirmed. Withdraw it on your "
                "profile page to claim again."
            )
        return claim_profile_set(user=user, claim=mine, profile_url=url) if url else mine
    if Claim.objects.filter(author=author, status=Claim.CONFIRMED).exists():
        raise ClaimError(
            f"{author.name} has already been claimed. If that claim is wrong, tell the "
            "site's staff."
        )
    if Claim.objects.filter(user=user, status=Claim.PENDING).count() >= MAX_PENDING:
        raise ClaimError(
            f"You have {MAX_PENDING} claims waiting for staff; wait until they are decided."
        )
    try:
        with transaction.atomic():
            return Claim.objects.create(user=user, author=author, profile_url=url)
    except IntegrityError:  # the same claim from two requests at once
        return Claim.objects.get(user=user, author=author)


def claim_profile_set(*, user: AnyUser | None, claim: Claim, profile_url: str) -> Claim:
    """Set (or clear, with "") the link shown beside the claimant's name."""
    user = require_login(user, LOGIN_NEEDED)
    if claim.user_id != user.pk:
        raise PermissionDenied("Only the person who made this claim can change its link.")
    claim.profile_url = profile_url_clean(profile_url)
    claim.save(update_fields=["profile_url"])
    return claim


def claim_withdraw(*, user: AnyUser | None, claim: Claim) -> None:
    """Take back one's own claim, whatever its status; its "not me" papers go with it."""
    user = require_login(user, LOGIN_NEEDED)
    if claim.user_id != user.pk:
        raise PermissionDenied("Only the person who made this claim can withdraw it.")
    claim.delete()


def claim_confirm(*, claim: Claim, by: User) -> Claim:
    """Staff: the claimant is this author. ClaimError when someone else's claim on the author
    is confirmed already (one confirmed claim per author)."""
    _require_staff(by)
    taken = Claim.objects.filter(author_id=claim.author_id, status=Claim.CONFIRMED)
    if taken.exclude(pk=claim.pk).exists():
        raise ClaimError(f"{claim.author.name} is already claimed by someone else.")
    try:
        with transaction.atomic():
            return _decide(claim, Claim.CONFIRMED, by)
    except IntegrityError:  # another member of staff confirmed another claim a moment ago
        claim.refresh_from_db()
        raise ClaimError(f"{claim.author.name} is already claimed by someone else.") from None


def claim_reject(*, claim: Claim, by: User) -> Claim:
    """Staff: the claimant is not this author (a confirmed claim can be rejected too)."""
    _require_staff(by)
    return _decide(claim, Claim.REJECTED, by)


def _decide(claim: Claim, status: str, by: User) -> Claim:
    claim.status, claim.decided_at, claim.decided_by = status, timezone.now(), by
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    return claim


def _require_staff(user: User) -> None:
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("Only staff decide claims.")


def exclusion_set(*, user: AnyUser | None, claim: Claim, paper: Paper, on: bool = True) -> bool:
    """Say a paper on a claimed page is someone else's ("not me"), or take that back; only the
    claimant (once confirmed) or staff may. Returns whether the paper is off the page now. The
    paper stays in the catalog and on every other page."""
    user = require_login(user, LOGIN_NEEDED)
    if not user.is_staff:
        if claim.user_id != user.pk:
            raise PermissionDenied("Only the person who claimed this page can change its papers.")
        if claim.status != Claim.CONFIRMED:
            raise PermissionDenied("You can take papers off this page once staff confirm it.")
    if not on:
        Exclusion.objects.filter(claim=claim, paper=paper).delete()
        return False
    if not Authorship.objects.filter(paper=paper, author_id=claim.author_id).exists():
        raise ClaimError(f"arXiv:{paper.arxiv_id} is not on {claim.author.name}'s page.")
    Exclusion.objects.get_or_create(claim=claim, paper=paper)
    return True
