"""The paper page. (Author pages: views/authors.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from paperfeed.accounts.http import anonymous_cache
from paperfeed.community.selectors import paper_community
from paperfeed.links.selectors import paper_links, star_history
from paperfeed.papers.selectors import paper_get_or_404
from paperfeed.search.selectors import paper_summary, papers_similar
from paperfeed.web.charts import star_chart
from paperfeed.web.forms import CommentForm

SIMILAR = 6
STAR_DAYS = 180  # the star history drawn on the paper page
AUTHORS_ALL, AUTHORS_FIRST = 15, 12
# Anonymous visitors share a rendering of a paper page for this long, as they do the lists (see
# anonymous_cache): a vote or a comment shows up for them a few seconds later, at once on the
# server process that took it (views/actions.py drops its copy).
PAGE_CACHE, PAGE_CACHE_SECONDS = "page", 5


@anonymous_cache(PAGE_CACHE, PAGE_CACHE_SECONDS)
def paper_detail(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = paper_get_or_404(arxiv_id)
    if paper.arxiv_id != arxiv_id:
        return redirect("paper", arxiv_id=paper.arxiv_id)
    user = request.user if request.user.is_authenticated else None
    # Long author lists (collaborations list hundreds) show the first dozen, the rest on demand.
    shown = len(paper.authors) if len(paper.authors) <= AUTHORS_ALL else AUTHORS_FIRST
    community = paper_community(paper=paper, user=user)
    context = {
        "paper": paper,
        "authors_shown": f":{shown}",
        "authors_more": paper.authors[shown:],
        "community": community,
        "similar": papers_similar(paper=paper, limit=SIMILAR),
        "described": paper_summary(paper.pk),
        **_code(paper.pk),
        "comment_form": CommentForm(),
        "moderator": community.moderator,  # the page shows it on comments only
    }
    return render(request, "web/paper.html", context)


def _code(paper_id: int) -> dict[str, Any]:
    """The Code box: the paper's links, its own repository's star history as a chart."""
    links = paper_links(paper_id)
    own = links.own
    history = []
    if own is not None and own.repository_id is not None and not own.gone:
        since = timezone.localdate() - timedelta(days=STAR_DAYS)
        history = star_history(own.repository_id, since=since)
    return {
        "links": links,
        "other_code": [code for code in links.code if code is not own],
        "star_chart": star_chart(history),
    }
