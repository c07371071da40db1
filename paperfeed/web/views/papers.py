"""The paper page and author pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from paperfeed.community.selectors import paper_community
from paperfeed.community.services import is_moderator
from paperfeed.lib.names import author_key
from paperfeed.papers.models import Author, Paper
from paperfeed.papers.selectors import paper_get
from paperfeed.search.selectors import DEFERRED, papers_similar
from paperfeed.web.forms import CommentForm

SIMILAR = 6
AUTHOR_PAGE = 25
AUTHORS_ALL, AUTHORS_FIRST = 15, 12


def paper_or_404(arxiv_id: str) -> Paper:
    paper = paper_get(arxiv_id=arxiv_id)
    if paper is None:
        raise Http404(f"arXiv:{arxiv_id} is not in this catalog. Submit it to fetch it from arXiv.")
    return paper


def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_or_404(arxiv_id)
    if paper.arxiv_id != arxiv_id:
        return redirect("paper", arxiv_id=paper.arxiv_id)
    user = request.user if request.user.is_authenticated else None
    # Long author lists (collaborations list hundreds) show the first dozen, the rest on demand.
    shown = len(paper.authors) if len(paper.authors) <= AUTHORS_ALL else AUTHORS_FIRST
    context = {
        "paper": paper,
        "authors_shown": f":{shown}",
        "authors_more": paper.authors[shown:],
        "community": paper_community(paper=paper, user=user),
        "similar": papers_similar(paper=paper, limit=SIMILAR),
        "comment_form": CommentForm(),
        "moderator": is_moderator(request.user),
    }
    return render(request, "web/paper.html", context)


def author_papers(name: str) -> QuerySet[Paper]:
    """The papers of the author `name` (any spelling with the same key), newest first."""
    # Kept here until paperfeed.papers has an author selector to call instead.
    return (
        Paper.objects.filter(authorships__author__key=author_key(name))
        .defer(*DEFERRED)
        .order_by("-published", "-id")
    )


def author_detail(request: HttpRequest, name: str) -> HttpResponse:
    key = author_key(name)
    author = Author.objects.filter(key=key).first() if key else None
    if author is None:
        raise Http404(f"No author named “{name[:200]}” in this catalog.")
    page = Paginator(author_papers(name), AUTHOR_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/author.html", {"author": author, "page": page})
