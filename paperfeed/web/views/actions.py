"""Community actions, all POST with CSRF: upvote, library, submit a paper, comments.

Each works as a plain form POST that redirects back (no JavaScript needed); an htmx request
gets the updated fragment instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest, anonymous_cache_forget
from paperfeed.accounts.services import library_set
from paperfeed.community.models import Comment
from paperfeed.community.services import (
    CommentError,
    SubmitError,
    comment_create,
    comment_delete,
    comment_edit,
    comment_hide,
    paper_submit,
    vote_set,
)
from paperfeed.papers.models import Paper
from paperfeed.papers.selectors import paper_get_or_404
from paperfeed.search.tasks import paper_embed
from paperfeed.web.forms import CommentForm, SubmitForm
from paperfeed.web.http import back_url, is_htmx, login_required_action
from paperfeed.web.limits import comment_refused
from paperfeed.web.views.papers import PAGE_CACHE


def _on(request: HttpRequest) -> bool:
    """The state a button asks for (`on=1`/`on=0`), so that a repeated POST changes nothing."""
    return request.POST.get("on", "1") not in ("0", "false", "")


def _changed(request: HttpRequest, paper: Paper) -> None:
    """The paper page shows something new (a vote, a comment, a featuring): anonymous visitors
    share a rendering of it for a few seconds, which this process drops now."""
    anonymous_cache_forget(request, PAGE_CACHE, reverse("paper", args=[paper.arxiv_id]))


@require_POST
@login_required_action
def vote(request: AuthenticatedHttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_get_or_404(arxiv_id)
    state = vote_set(user=request.user, paper=paper, on=_on(request))
    _changed(request, paper)
    if is_htmx(request):
        return _button(request, "web/_vote.html", paper, upvotes=state.upvotes, voted=state.voted)
    return redirect(back_url(request, reverse("paper", args=[paper.arxiv_id])))


@require_POST
@login_required_action
def library(request: AuthenticatedHttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_get_or_404(arxiv_id)
    saved = library_set(user=request.user, paper=paper, on=_on(request))
    if is_htmx(request):
        return _button(request, "web/_library.html", paper, in_library=saved)
    messages.success(request, "Added to your library." if saved else "Removed from your library.")
    return redirect(back_url(request, reverse("paper", args=[paper.arxiv_id])))


def _button(request: HttpRequest, template: str, paper: Paper, **state: object) -> HttpResponse:
    """The button alone, for htmx to swap in; its `next` stays the page it sits on."""
    back = back_url(request, reverse("paper", args=[paper.arxiv_id]))
    return render(request, template, {"paper": paper, "next": back, **state})


@login_required
def submit(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            featured = paper_submit(user=request.user, text=form.cleaned_data["paper"])
        except SubmitError as exc:
            form.add_error("paper", str(exc))
        else:
            paper_embed.enqueue(paper_ids=[featured.paper.pk])  # searchable by meaning soon
            _changed(request, featured.paper)
            messages.success(
                request, f"Thank you! The paper is on the list of {featured.featured_on:%-d %B}."
            )
            return redirect("paper", arxiv_id=featured.paper.arxiv_id)
    return render(request, "web/submit.html", {"form": form, "nav": "submit"})


@require_POST
@login_required_action
def comment_new(request: AuthenticatedHttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_get_or_404(arxiv_id)
    if refused := comment_refused(request):
        return refused
    form = CommentForm(request.POST)
    url = reverse("paper", args=[paper.arxiv_id])
    try:
        form.is_valid()  # a CharField without limits: only normalises the text
        comment = comment_create(user=request.user, paper=paper, body=form.cleaned_data["body"])
    except CommentError as exc:
        messages.error(request, str(exc))
        return redirect(url + "#comments")
    _changed(request, paper)
    return redirect(f"{url}#comment-{comment.pk}")


@login_required
def comment_update(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("paper", "author"), pk=comment_id)
    if comment.author.pk != request.user.pk:
        raise PermissionDenied("Only the author of a comment can edit it.")
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comment_edit(user=request.user, comment=comment, body=form.cleaned_data["body"])
        except CommentError as exc:
            form.add_error("body", str(exc))
        else:
            _changed(request, comment.paper)
            messages.success(request, "Comment updated.")
            return redirect(
                reverse("paper", args=[comment.paper.arxiv_id]) + f"#comment-{comment.pk}"
            )
    return render(request, "web/comment_edit.html", {"form": form, "comment": comment})


@require_POST
@login_required_action
def comment_remove(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=comment_id)
    comment_delete(user=request.user, comment=comment)
    _changed(request, comment.paper)
    messages.success(request, "Comment deleted.")
    return redirect(reverse("paper", args=[comment.paper.arxiv_id]) + "#comments")


@require_POST
@login_required_action
def comment_moderate(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=comment_id)
    hidden = _on(request)
    comment_hide(user=request.user, comment=comment, hidden=hidden)
    _changed(request, comment.paper)
    messages.success(request, "Comment hidden." if hidden else "Comment shown again.")
    return redirect(reverse("paper", args=[comment.paper.arxiv_id]) + f"#comment-{comment.pk}")
