"""Writes: the links of papers (found again whenever their text changes, or all at once with
`paperfeed links --rebuild`), and the GitHub metadata of their repositories (`--refresh`, and
the worker's `repositories` job)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from paperfeed.lib.github import GitHubClient, GitHubRateLimited, RepoInfo
from paperfeed.lib.links import Link, links_find
from paperfeed.lib.records import SourceError
from paperfeed.links.models import PaperLink, Repository, StarCount
from paperfeed.papers.bulk import ensure_ids, insert_rows
from paperfeed.papers.models import Paper

log = logging.getLogger(__name__)
GITHUB = "https://github.com/"
REBUILD_BATCH = 5_000  # papers read, parsed and written per transaction

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def links_store(*, paper_ids: Iterable[int]) -> int:
    """Find the links of these papers in their abstract, comments and journal-ref again and
    replace the stored ones; returns how many links they have now."""
    ids = list(paper_ids)
    found: dict[int, list[Link]] = {}
    for start in range(0, len(ids), REBUILD_BATCH):
        rows = Paper.objects.filter(pk__in=ids[start : start + REBUILD_BATCH]).values_list(
            "id", "abstract", "comments", "journal_ref"
        )
        for pk, abstract, comments, journal_ref in rows:
            found[pk] = links_find(abstract=abstract, comments=comments, journal_ref=journal_ref)
    return _replace(found)


def links_rebuild(*, batch_size: int = REBUILD_BATCH, progress: Progress | None = None) -> int:
    """The links of every paper, found again: one transaction per batch, so an interrupted run
    keeps what it did and a rerun redoes the rest. Returns how many links are stored."""
    total = Paper.objects.count()
    done = stored = 0
    after = 0
    while True:
        rows = list(
            Paper.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("id", "abstract", "comments", "journal_ref")[:batch_size]
        )
        if not rows:
            break
        found = {
            pk: links_find(abstract=abstract, comments=comments, journal_ref=journal_ref)
            for pk, abstract, comments, journal_ref in rows
        }
        stored += _replace(found)
        after = rows[-1][0]
        done += len(rows)
        if progress:
            progress("links", done, total)
    return stored


def links_add(*, found: dict[int, list[Link]]) -> int:
    """Store the links of new papers (found as they were prepared); nothing to replace."""
    return _replace(found, fresh=True)


LINK_COLUMNS = ("paper", "kind", "url", "repo", "source", "primary", "position", "repository")
# Every NOT NULL column of a new repository (insert_rows sets no model defaults).
REPOSITORY_COLUMNS = (
    "key", "full_name", "state", "description", "language", "license", "archived", "etag",
    "error",
)  # fmt: skip


def _replace(found: dict[int, list[Link]], *, fresh: bool = False) -> int:
    """Store these papers' links, replacing what they had (unless `fresh`: new papers). Rows
    through papers.bulk's INSERT (COPY on PostgreSQL): the ORM's bulk_create took 60% of a
    snapshot import's writing time."""
    keys = {
        link.repo.lower(): link.repo
        for links in found.values()
        for link in links
        if link.kind == "code" and link.url.startswith(GITHUB) and link.repo
    }
    with transaction.atomic():
        if not fresh:
            PaperLink.objects.filter(paper_id__in=list(found)).delete()
        repositories = _repositories_ensure(keys)
        rows = [
            (pk, link.kind, link.url[:500], link.repo[:200], link.source, link.primary, position,
             repositories.get(link.repo.lower()) if link.kind == "code" else None)
            for pk, links in found.items()
            for position, link in enumerate(links)
        ]  # fmt: skip
        insert_rows(PaperLink, LINK_COLUMNS, rows, ignore_conflicts=True)
    return len(rows)


def _repositories_ensure(keys: dict[str, str]) -> dict[str, int]:
    """The ids of these repositories (lower-cased owner/name), rows made for the new ones; a
    repository known to have moved answers with the one it moved to."""
    if not keys:
        return {}
    rows = [
        (key[:200], name[:200], Repository.NEW, "", "", "", False, "", "")
        for key, name in keys.items()
    ]
    ids = ensure_ids(Repository, REPOSITORY_COLUMNS, rows)
    moved = dict(
        Repository.objects.filter(id__in=list(ids.values()), moved_to__isnull=False).values_list(
            "id", "moved_to_id"
        )
    )
    return {key: moved.get(pk) or pk for key, pk in ids.items()}


# GitHub ----------------------------------------------------------------------------------------
@dataclass
class RefreshSummary:
    checked: int = 0
    changed: int = 0
    unchanged: int = 0  # 304: nothing new, and no request counted against the limit
    gone: int = 0
    moved: int = 0
    stopped: str = ""  # why the run ended before every due repository was checked

    def __str__(self) -> str:
        text = (
            f"{self.checked:,} repositories checked: {self.changed:,} updated, "
            f"{self.unchanged:,} unchanged, {self.gone:,} gone, {self.moved:,} renamed"
        )
        return f"{text}; stopped: {self.stopped}" if self.stopped else text


def repositories_due(*, now: datetime | None = None) -> QuerySet[Repository]:
    """Repositories whose metadata is due, never-checked first, then the longest unchecked:
    those of papers published in the last LINKS_RECENT_DAYS once a day, the others once a week."""
    now = now or timezone.now()
    recent = Q(
        checked_at__lt=now - timedelta(hours=20),
        links__paper__published__gte=now - timedelta(days=settings.LINKS_RECENT_DAYS),
    )
    due = Q(checked_at__isnull=True) | Q(checked_at__lt=now - timedelta(days=6, hours=20)) | recent
    candidates = (
        Repository.objects.filter(due)
        .exclude(state__in=[Repository.GONE, Repository.MOVED])
        .values("pk")
    )
    return Repository.objects.filter(pk__in=candidates).order_by(
        F("checked_at").asc(nulls_first=True), "pk"
    )


def repositories_refresh(
    *,
    client: GitHubClient,
    limit: int | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> RefreshSummary:
    """Ask GitHub about the due repositories (conditional requests: an unchanged one costs a
    304). GitHub's rate limit or a network failure ends the run with what was done kept; the
    next run carries on. The stars seen are kept as the day's count."""
    now = now or timezone.now()
    summary = RefreshSummary()
    due = list(repositories_due(now=now)[:limit] if limit else repositories_due(now=now))
    for repository in due:
        try:
            result = client.repo(repository.full_name, etag=repository.etag)
        except GitHubRateLimited as exc:
            summary.stopped = f"GitHub's rate limit, until {exc.until:%Y-%m-%d %H:%M} UTC"
            break
        except SourceError as exc:
            if summary.checked == 0:
                raise
            summary.stopped = f"GitHub could not be reached ({exc})"
            break
        except ValueError as exc:  # not a name GitHub could hold
            _gone(repository, now, str(exc))
            summary.gone += 1
        else:
            if result.status == "ok" and result.info is not None:
                moved = _apply(repository, result.info, result.etag, now)
                summary.changed += 1
                summary.moved += moved
            elif result.status == "not_modified":
                repository.checked_at = now
                repository.error = ""
                repository.save(update_fields=["checked_at", "error"])
                if repository.stars is not None:
                    _count(repository.pk, now.date(), repository.stars)
                summary.unchanged += 1
            else:
                _gone(repository, now, "GitHub answers that this repository does not exist")
                summary.gone += 1
        summary.checked += 1
        if progress:
            progress("repositories", summary.checked, len(due))
    return summary


def _apply(repository: Repository, info: RepoInfo, etag: str, now: datetime) -> bool:
    """Store what GitHub said; True when the repository turned out to be renamed onto one
    already known under the new name (this row then points there)."""
    with transaction.atomic():
        target = repository
        key = info.full_name.lower()
        moved = False
        if key != repository.key:
            other = Repository.objects.filter(key=key).exclude(pk=repository.pk).first()
            if other is None:
                repository.key = key
            else:
                repository.state = Repository.MOVED
                repository.moved_to = other
                repository.checked_at = now
                repository.save(update_fields=["state", "moved_to", "checked_at"])
                PaperLink.objects.filter(repository=repository).update(repository=other)
                target, moved = other, True
        target.full_name = info.full_name
        target.state = Repository.OK
        target.description = info.description[:2_000]
        target.stars = info.stars
        target.forks = info.forks
        target.language = info.language[:100]
        target.license = info.license[:200]
        target.pushed_at = info.pushed_at
        target.archived = info.archived
        target.etag = etag[:200] if not moved else ""
        target.checked_at = now
        target.error = ""
        target.save()
        _count(target.pk, now.date(), info.stars)
    return moved


def _gone(repository: Repository, now: datetime, why: str) -> None:
    repository.state = Repository.GONE
    repository.checked_at = now
    repository.error = why
    repository.save(update_fields=["state", "checked_at", "error"])


def _count(repository_id: int, day: date, stars: int) -> None:
    StarCount.objects.update_or_create(
        repository_id=repository_id, day=day, defaults={"stars": stars}
    )


def github_client() -> GitHubClient:
    return GitHubClient(base_url=settings.GITHUB_API_URL, token=settings.GITHUB_TOKEN)


def repositories_stats() -> dict[str, int]:
    return {
        "papers with links": PaperLink.objects.values("paper").distinct().count(),
        "papers with their code": PaperLink.objects.filter(primary=True).count(),
        "repositories": Repository.objects.count(),
        "repositories checked": Repository.objects.exclude(checked_at=None).count(),
    }
