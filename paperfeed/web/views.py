"""Server-rendered pages. Views stay thin: they call selectors and render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from paperfeed.community.selectors import featured_top
from paperfeed.papers.selectors import paper_get, papers_latest


def index(request: HttpRequest) -> HttpResponse:
    page = Paginator(papers_latest(), 25).get_page(request.GET.get("page"))
    featured = featured_top(limit=10) if page.number == 1 else []
    return render(request, "web/index.html", {"page": page, "featured": featured})


def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_get(arxiv_id=arxiv_id)
    if paper is None:
        raise Http404(f"{arxiv_id} is not in the catalog")
    if paper.arxiv_id != arxiv_id:
        return redirect("paper", arxiv_id=paper.arxiv_id)
    return render(request, "web/paper.html", {"paper": paper})
