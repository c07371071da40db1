"""The search page and saved searches."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from paperfeed.accounts.http import AuthenticatedHttpRequest
from paperfeed.accounts.models import SavedSearch
from paperfeed.accounts.services import saved_search_delete as saved_search_delete_service
from paperfeed.accounts.services import saved_search_save as saved_search_save_service
from paperfeed.links.selectors import code_badges
from paperfeed.papers.selectors import paper_get
from paperfeed.search.selectors import papers_search
from paperfeed.web.forms import SEARCH_MODES, SearchForm
from paperfeed.web.http import back_url, login_required_action

PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    params, notes = form.params()
    context: dict[str, object] = {
        "form": form,
        "q": params.q,
        "mode": params.mode,
        "modes": SEARCH_MODES,
        "filtered": params.has_filters,
        "notes": notes,
    }
    if not (params.q or params.has_filters):
        return render(request, "web/search.html", context)
    results = papers_search(
        q=params.q, mode=params.mode, page=params.page, per_page=PER_PAGE,
        categories=[params.category] if params.category else [],
        after=params.after, before=params.before, code=params.code,
    )  # fmt: skip
    # An arXiv id or URL typed into the box goes straight to the paper when it is stored.
    arxiv_id = results.query.arxiv_id
    if arxiv_id and not params.has_filters and (paper := paper_get(arxiv_id=arxiv_id)):
        return redirect("paper", arxiv_id=paper.arxiv_id)
    context.update(
        results=results,
        notes=[*notes, *results.notes],
        saved_query=params.query_text,
        code=code_badges([hit.paper.pk for hit in results.hits]),
    )
    return render(request, "web/search.html", context)


@require_POST
@login_required_action
def saved_search_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        saved_search_save_service(user=request.user, query=query, name=request.POST.get("name", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Search saved. Find it on your profile.")
    return redirect(back_url(request, "/search"))


@require_POST
@login_required_action
def saved_search_delete(request: AuthenticatedHttpRequest, search_id: int) -> HttpResponse:
    try:
        saved_search_delete_service(user=request.user, search_id=search_id)
    except SavedSearch.DoesNotExist:  # a second click, or another tab deleted it first
        messages.info(request, "That saved search was already deleted.")
    else:
        messages.success(request, "Saved search deleted.")
    return redirect(back_url(request, "/accounts/profile/"))
