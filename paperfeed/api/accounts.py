"""Your library and saved searches (authenticated)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpResponse
from ninja import Query, Router, Status
from ninja.errors import HttpError

from paperfeed.accounts.models import SavedSearch as SavedSearchModel
from paperfeed.accounts.selectors import library_papers, saved_searches
from paperfeed.accounts.services import library_set, saved_search_delete, saved_search_save
from paperfeed.alerts.models import Alert as AlertModel
from paperfeed.alerts.selectors import alerts_by_search
from paperfeed.alerts.services import search_alert_save
from paperfeed.api.alerts import SearchId, alert_payload
from paperfeed.api.auth import AUTH, AuthedRequest
from paperfeed.api.common import (
    LIMIT_DOC,
    MAX_PAGE,
    PAGE_DOC,
    WRITE_ERRORS,
    capped,
    errors,
    link_next,
    not_in_catalog_detail,
)
from paperfeed.api.papers import ArxivId
from paperfeed.api.schemas import DailyPaper, LibraryOut, SavedSearch, SavedSearchIn
from paperfeed.api.shapes import hit_payloads
from paperfeed.api.throttling import write_throttles
from paperfeed.digests.services import alerts_address_ensure
from paperfeed.papers.selectors import paper_get_or_404

router = Router(tags=["accounts"], auth=AUTH)


@router.get(
    "/library",
    response={200: list[DailyPaper], **errors(401, 403, 422)},
    summary="Your library",
    operation_id="library_list",
)
def library(
    request: AuthedRequest,
    response: HttpResponse,
    p: Annotated[int, Query(ge=0, le=MAX_PAGE, description=PAGE_DOC)] = 0,
    limit: Annotated[int, Query(ge=1, description=LIMIT_DOC)] = 50,
) -> list[dict[str, Any]]:
    """The papers in your library, the most recently added first."""
    size = capped(limit)
    papers = list(library_papers(user=request.auth)[p * size : (p + 1) * size + 1])
    if len(papers) > size:
        link_next(request, response, page=p)
    return [dict(item, score=None) for item in hit_payloads([(x, 0.0) for x in papers[:size]])]


@router.put(
    "/library/{path:arxiv_id}",
    response={200: LibraryOut, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary="Add a paper to your library",
    operation_id="library_add",
)
def library_add(request: AuthedRequest, arxiv_id: ArxivId) -> dict[str, bool]:
    """Add the paper to your library (adding it twice keeps one entry)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    return {"inLibrary": library_set(user=request.auth, paper=paper, on=True)}


@router.delete(
    "/library/{path:arxiv_id}",
    response={200: LibraryOut, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary="Remove a paper from your library",
    operation_id="library_remove",
)
def library_remove(request: AuthedRequest, arxiv_id: ArxivId) -> dict[str, bool]:
    """Take the paper out of your library (nothing happens if it was not there)."""
    paper = paper_get_or_404(arxiv_id, message=not_in_catalog_detail)
    return {"inLibrary": library_set(user=request.auth, paper=paper, on=False)}


@router.get(
    "/saved_searches",
    response={200: list[SavedSearch], **errors(401, 403)},
    summary="Your saved searches",
    operation_id="saved_searches_list",
)
def searches(request: AuthedRequest) -> list[dict[str, Any]]:
    """Your saved searches, by name, with their alerts."""
    alerts = alerts_by_search(user=request.auth)
    return [_search(s, alerts.get(s.pk)) for s in saved_searches(user=request.auth)]


@router.post(
    "/saved_searches",
    response={201: SavedSearch, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary="Save a search",
    operation_id="saved_search_save",
)
def search_save(request: AuthedRequest, payload: SavedSearchIn) -> Status[dict[str, Any]]:
    """Save a query under a name; saving under a name you already use replaces its query.
    With `alert`, the papers that match it from now on are reported (see `PUT .../alert`)."""
    if payload.alert is not None:  # the search and its alert together, or neither
        wanted = payload.alert
        try:
            alert = search_alert_save(
                user=request.auth, query=payload.query, name=payload.name,
                frequency=wanted.frequency, by_email=wanted.email, by_feed=wanted.feed,
            )  # fmt: skip
        except ValueError as exc:
            raise HttpError(400, str(exc)) from None
        status = alerts_address_ensure(user=request.auth) if alert.by_email else None
        out = _search(alert.search)
        out["alert"] = alert_payload(alert, email_status=status)
        return Status(201, out)
    try:
        saved = saved_search_save(user=request.auth, query=payload.query, name=payload.name)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    return Status(201, _search(saved))


@router.delete(
    "/saved_searches/{int:search_id}",
    response={204: None, **errors(*WRITE_ERRORS)},
    throttle=write_throttles(),
    summary="Delete a saved search",
    operation_id="saved_search_delete",
)
def search_delete(
    request: AuthedRequest,
    search_id: SearchId,
) -> Status[None]:
    """Delete one of your saved searches."""
    try:
        saved_search_delete(user=request.auth, search_id=search_id)
    except SavedSearchModel.DoesNotExist:
        raise Http404(f"You have no saved search {search_id}.") from None
    return Status(204, None)


def _search(saved: SavedSearchModel, alert: AlertModel | None = None) -> dict[str, Any]:
    return {"id": saved.pk, "name": saved.name, "query": saved.query,
            "createdAt": saved.created_at,
            "alert": alert_payload(alert) if alert is not None else None}  # fmt: skip
