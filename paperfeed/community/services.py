"""Writes of community signal: featuring papers, votes, submissions and comments.

Views stay thin: every rule (who may do what, limits, messages) lives in these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.community.markdown import markdown_render
from paperfeed.community.models import Comment, Featured, Vote
from paperfeed.community.trending import (
    featured_refresh,
    featured_signals,
    papers_with_local_signal,
    trend_key,
)
from paperfeed.lib.arxiv_api import ArxivApiClient
from paperfeed.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperfeed.lib.records import FeaturedRecord, SourceError
from paperfeed.papers.fetching import PaperNotFound, paper_fetch
from paperfeed.papers.models import Paper

SUBMITTED = "submitted"  # Featured.source of papers submitted on this site


def featured_upsert_batch(
    *, records: list[FeaturedRecord], paper_ids: dict[str, int], source: str
) -> tuple[int, int]:
    """Feature each record's paper on its day (once per paper) and refresh imported counts.

    A paper already featured keeps its first day and submitter; its imported upvote and comment
    counts follow the source. Returns (featured, refreshed).
    """
    by_paper = {paper_ids[r.paper.arxiv_id]: r for r in records if r.paper.arxiv_id in paper_ids}
    with transaction.atomic():
        existing = {f.paper_id: f for f in Featured.objects.filter(paper_id__in=list(by_paper))}
        new, refreshed = [], []
        for paper_id, record in by_paper.items():
            row = existing.get(paper_id)
            if row is None:
                new.append(
                    Featured(
                        paper_id=paper_id,
                        featured_on=record.featured_on,
                        submitted_by=record.submitted_by or "",
                        source=source,
                        source_upvotes=max(record.upvotes, 0),
                        source_comments=max(record.num_comments, 0),
                    )
                )
            elif (row.source_upvotes, row.source_comments) != (record.upvotes, record.num_comments):
                row.source_upvotes, row.source_comments = record.upvotes, record.num_comments
                row.save(update_fields=["source_upvotes", "source_comments"])
                refreshed.append(paper_id)
        for row in new:  # imported counts alone; votes cast here before are added below
            row.trend = trend_key(featured_signals(row))
        Featured.objects.bulk_create(new, ignore_conflicts=True)
        local = papers_with_local_signal(paper_ids=[row.paper_id for row in new])
        featured_refresh(paper_ids=refreshed + local)
    return len(new), len(refreshed)


# Votes ----------------------------------------------------------------------------------------


@dataclass
class VoteState:
    voted: bool
    upvotes: int  # imported upvotes plus votes cast here


def vote_set(
    *, user: AnyUser | None, paper: Paper, on: bool, now: datetime | None = None
) -> VoteState:
    """Upvote the paper or take the vote back; idempotent. One vote per user and paper holds even
    under concurrent requests: the unique (user, paper) constraint refuses a second row. The
    paper's Featured row is locked first, so that its derived counts stay exact."""
    user = require_login(user, "Log in to upvote papers.")
    with transaction.atomic():
        featured = _lock_featured(paper.pk)
        if on:
            try:
                with transaction.atomic():
                    Vote.objects.create(user=user, paper=paper, created_at=now or timezone.now())
            except IntegrityError:
                pass  # already voted, perhaps by a request a moment ago
        else:
            Vote.objects.filter(user=user, paper=paper).delete()
        if featured:  # recomputed even when nothing changed: it writes only what drifted
            featured_refresh(paper_ids=[paper.pk])
        return VoteState(voted=on, upvotes=paper_upvotes(paper=paper))


def paper_upvotes(*, paper: Paper) -> int:
    """Imported upvotes plus votes cast here."""
    featured = Featured.objects.filter(paper=paper).only("source_upvotes", "votes").first()
    if featured is not None:
        return featured.upvotes
    return Vote.objects.filter(paper=paper).count()


# Submissions ----------------------------------------------------------------------------------


class SubmitError(Exception):
    """A paper cannot be submitted; the message says why, fit to show the person submitting."""


class AlreadyFeatured(SubmitError):
    """The paper is featured already (a paper is featured once)."""


def paper_submit(
    *,
    user: AnyUser | None,
    text: str,
    today: date | None = None,
    client: ArxivApiClient | None = None,
) -> Featured:
    """Feature the paper named by `text` (an arXiv id or URL) on today's list, submitted by
    `user`. Fetches it from arXiv through the ingest path when it is not stored yet (`client`
    replaces the default one, which does not retry: a person waits on this request and can
    simply submit again). Refuses papers already featured and papers first published more than
    PAPERFEED_SUBMIT_MAX_AGE_DAYS days ago."""
    user = require_login(user, "Log in to submit papers.")
    today = today or timezone.localdate()
    paper = _submitted_paper(text, client)
    with transaction.atomic():
        _check_not_featured(paper)
        _check_age(paper, today)
        try:
            with transaction.atomic():
                featured = Featured.objects.create(
                    paper=paper,
                    featured_on=today,
                    submitted_by=user.get_username(),
                    submitted_user=user,
                    source=SUBMITTED,
                )
        except IntegrityError:  # someone submitted it a moment ago
            _check_not_featured(paper)
            raise
        featured_refresh(paper_ids=[paper.pk])  # votes cast before it was featured
        featured.refresh_from_db()
    return featured


def _submitted_paper(text: str, client: ArxivApiClient | None) -> Paper:
    try:
        wanted = parse_arxiv_id(text)
    except InvalidArxivId:
        shown = " ".join((text or "").split())
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise SubmitError(
            f"'{shown}' is not an arXiv id or URL; paste one like 2401.12345 "
            "or https://arxiv.org/abs/2401.12345"
        ) from None
    paper = Paper.objects.filter(arxiv_id=wanted.id).first()
    if paper is not None:
        return paper
    source = client or _submit_client()
    try:
        paper, _ = paper_fetch(id_or_url=wanted.id, client=source)
    except PaperNotFound:
        raise SubmitError(f"arXiv has no paper {wanted.id}; check the id.") from None
    except SourceError:
        raise SubmitError(
            f"arXiv could not be reached to fetch {wanted.id}; please try again in a few minutes."
        ) from None
    finally:
        if client is None:
            source.close()
    return paper


def _submit_client() -> ArxivApiClient:
    return ArxivApiClient(base_url=settings.ARXIV_API_URL, delay=0, max_retries=0, timeout=15)


def _check_not_featured(paper: Paper) -> None:
    featured = Featured.objects.filter(paper=paper).only("featured_on").first()
    if featured is not None:
        raise AlreadyFeatured(
            f"{paper.arxiv_id} was already featured on {_day(featured.featured_on)}; "
            "a paper is featured once."
        )


def _check_age(paper: Paper, today: date) -> None:
    limit = settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS
    first = _first_published(paper)
    if first is None:
        raise SubmitError(f"{paper.arxiv_id} has no publication date, so it cannot be featured.")
    age = (today - first).days
    if age > limit:
        raise SubmitError(
            f"{paper.arxiv_id} was first published on {_day(first)}, {age} days ago; "
            f"only papers from the last {limit} days can be submitted."
        )


def _first_published(paper: Paper) -> date | None:
    if paper.published is not None:
        return timezone.localdate(paper.published)
    created = [v.get("created") for v in paper.versions or [] if v.get("created")]
    if not created:
        return None
    return timezone.localdate(datetime.fromisoformat(min(created)))


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# Comments -------------------------------------------------------------------------------------


class CommentError(Exception):
    """A comment cannot be saved as written; the message says why."""


def comment_create(
    *, user: AnyUser | None, paper: Paper, body: str, now: datetime | None = None
) -> Comment:
    """Post a Markdown comment on the paper as `user`."""
    user = require_login(user, "Log in to comment.")
    body = _checked_body(body)
    with transaction.atomic():
        featured = _lock_featured(paper.pk)
        comment = Comment.objects.create(
            paper=paper,
            author=user,
            body=body,
            body_html=markdown_render(body),
            created_at=now or timezone.now(),
        )
        if featured:
            featured_refresh(paper_ids=[paper.pk])
    return comment


def comment_edit(*, user: AnyUser | None, comment: Comment, body: str) -> Comment:
    """Replace the comment's text; only its author may."""
    user = require_login(user, "Log in to edit your comments.")
    if comment.author_id != user.pk:
        raise PermissionDenied("Only its author can edit a comment.")
    comment.body = _checked_body(body)
    comment.body_html = markdown_render(comment.body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def comment_delete(*, user: AnyUser | None, comment: Comment) -> None:
    """Delete the comment; its author or a moderator may."""
    user = require_login(user, "Log in to delete your comments.")
    if comment.author_id != user.pk and not is_moderator(user):
        raise PermissionDenied("Only its author or a moderator can delete a comment.")
    with transaction.atomic():
        _lock_featured(comment.paper_id)
        comment.delete()
        featured_refresh(paper_ids=[comment.paper_id])


def comment_hide(*, user: AnyUser | None, comment: Comment, hidden: bool) -> Comment:
    """Hide the comment from everyone but moderators, or show it again; moderators only."""
    user = require_login(user, "Log in to moderate comments.")
    if not is_moderator(user):
        raise PermissionDenied("Only moderators can hide or unhide comments.")
    with transaction.atomic():
        _lock_featured(comment.paper_id)
        comment.hidden = hidden
        comment.hidden_by = user if hidden else None
        comment.save(update_fields=["hidden", "hidden_by"])
        featured_refresh(paper_ids=[comment.paper_id])
    return comment


def is_moderator(user: AnyUser | None) -> bool:
    """Staff, or anyone granted the community.moderate_comment permission."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_staff or user.has_perm("community.moderate_comment"))
    )


def _checked_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentError("A comment cannot be empty.")
    if "\x00" in body:  # PostgreSQL cannot store it; refused on every database alike
        raise CommentError("A comment cannot hold a NUL character.")
    if len(body) > Comment.MAX_LENGTH:
        raise CommentError(
            f"That comment is {len(body):,} characters long; "
            f"the limit is {Comment.MAX_LENGTH:,}. Please shorten it."
        )
    return body


def _lock_featured(paper_id: int) -> bool:
    """Lock the paper's Featured row (if any) until the transaction ends; True if there is one."""
    return bool(list(Featured.objects.select_for_update().filter(paper_id=paper_id).values("id")))
