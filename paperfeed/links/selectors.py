"""Reads: a list's code badges (one query for the whole page), a paper's links grouped for its
page, a repository's star history, and stars gained over a window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from paperfeed.links.models import PaperLink, Repository, StarCount


@dataclass(frozen=True)
class Code:
    """A paper's own repository, as a card's badge and the paper page's Code box show it."""

    url: str
    name: str  # owner/name
    stars: int | None  # None: not checked yet, or not on GitHub
    language: str = ""
    license: str = ""
    pushed_at: datetime | None = None
    archived: bool = False
    gone: bool = False
    repository_id: int | None = None


@dataclass
class PaperLinks:
    code: list[Code] = field(default_factory=list)  # the paper's own first, then the others
    projects: list[str] = field(default_factory=list)
    demos: list[tuple[str, str]] = field(default_factory=list)  # (url, owner/name)
    models: list[tuple[str, str]] = field(default_factory=list)
    datasets: list[tuple[str, str]] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)
    own: Code | None = None  # the paper's own repository, also first in `code`

    def __bool__(self) -> bool:
        return bool(
            self.code or self.projects or self.demos or self.models or self.datasets or self.dois
        )


def code_badges(paper_ids: Iterable[int]) -> dict[int, Code]:
    """The own repository of each of these papers that names one (one query)."""
    rows = (
        PaperLink.objects.filter(paper_id__in=list(paper_ids), primary=True)
        .select_related("repository")
        .only("paper_id", "url", "repo", "repository")
    )
    return {row.paper_id: _code(row) for row in rows}


def paper_links(paper_id: int) -> PaperLinks:
    """Every link of a paper, sorted into what its page shows (one query)."""
    result = PaperLinks()
    rows = (
        PaperLink.objects.filter(paper_id=paper_id)
        .select_related("repository")
        .order_by("-primary", "position")
    )
    for row in rows:
        if row.kind == "code":
            result.code.append(_code(row))
            if row.primary:
                result.own = result.code[-1]
        elif row.kind == "project":
            result.projects.append(row.url)
        elif row.kind == "demo":
            result.demos.append((row.url, row.repo))
        elif row.kind == "model":
            result.models.append((row.url, row.repo))
        elif row.kind == "dataset":
            result.datasets.append((row.url, row.repo))
        elif row.kind == "doi":
            result.dois.append(row.url)
    return result


def _code(row: PaperLink) -> Code:
    repository = row.repository
    if repository is None:
        return Code(url=row.url, name=row.repo, stars=None)
    known = repository.state == Repository.OK
    return Code(
        url=repository.url if known else row.url,
        name=repository.full_name if known else row.repo,
        stars=repository.stars if known else None,
        language=repository.language,
        license=repository.license,
        pushed_at=repository.pushed_at,
        archived=repository.archived,
        gone=repository.state == Repository.GONE,
        repository_id=repository.pk,
    )


def star_history(repository_id: int, *, since: date | None = None) -> list[tuple[date, int]]:
    """The repository's daily star counts, oldest first."""
    rows = StarCount.objects.filter(repository_id=repository_id)
    if since is not None:
        rows = rows.filter(day__gte=since)
    return list(rows.order_by("day").values_list("day", "stars"))


def _gained(rows: QuerySet[StarCount], since: date) -> Any:  # an annotated values() query
    """Per repository: its highest count after `since` less its last count on or before that
    day (the window's start), or less its lowest count in the window when it has none before."""
    baseline = (
        StarCount.objects.filter(repository_id=OuterRef("repository_id"), day__lte=since)
        .order_by("-day")
        .values("stars")[:1]
    )
    return (
        rows.filter(day__gt=since)
        .values("repository_id")
        .annotate(gained=Max("stars") - Coalesce(Subquery(baseline), Min("stars")))
    )


def stars_gained(repository_ids: Iterable[int], *, since: date) -> dict[int, int]:
    """Stars each repository gained since `since` (0 when it was not counted since)."""
    rows = _gained(StarCount.objects.filter(repository_id__in=list(repository_ids)), since)
    return {row["repository_id"]: max(0, row["gained"]) for row in rows}


def papers_by_stars_gained(*, since: date, limit: int, offset: int = 0) -> list[tuple[int, int]]:
    """(paper id, stars gained) of the papers whose own repository gained the most stars since
    `since`, the most first, as Papers with Code's trending did. One query over the window's
    counts (index on day), then the papers of the repositories on the page."""
    counted = StarCount.objects.filter(
        repository__state=Repository.OK, repository__links__primary=True
    )
    gained = _gained(counted, since).filter(gained__gt=0).order_by("-gained", "repository_id")
    # A repository can be the own code of several papers (versions of a method): fetch a little
    # more than the page so that the papers fill it.
    ranked = [(row["repository_id"], row["gained"]) for row in gained[: offset + limit]]
    by_repository: dict[int, list[int]] = {}
    rows = PaperLink.objects.filter(
        primary=True, repository_id__in=[rid for rid, _ in ranked]
    ).order_by("-paper_id")
    for paper_id, repository_id in rows.values_list("paper_id", "repository_id"):
        if repository_id is not None:
            by_repository.setdefault(repository_id, []).append(paper_id)
    papers = [(paper_id, stars) for rid, stars in ranked for paper_id in by_repository.get(rid, [])]
    return papers[offset : offset + limit]


def project_pages(paper_ids: Iterable[int]) -> dict[int, str]:
    """The first project page each of these papers names (one query)."""
    rows = (
        PaperLink.objects.filter(paper_id__in=list(paper_ids), kind="project")
        .order_by("paper_id", "position")
        .values_list("paper_id", "url")
    )
    found: dict[int, str] = {}
    for paper_id, url in rows:
        found.setdefault(paper_id, url)
    return found
