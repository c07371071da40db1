"""Cold start: fill a reader's library from a list of ids or a BibTeX file, and keep the
categories and authors they follow."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from paperfeed.accounts.auth import AnyUser, require_login
from paperfeed.accounts.models import LibraryEntry
from paperfeed.lib.names import author_key
from paperfeed.papers.models import Author, Paper
from paperfeed.recommend.bibtex import Found, ids_from_bibtex, ids_from_text
from paperfeed.recommend.models import Interest
from paperfeed.recommend.signals import reader_model_expire
from paperfeed.recommend.tasks import library_fetch_missing
from paperfeed.search.query import category_canonical

MAX_IMPORT = 2_000  # ids per import
MAX_INTERESTS = 200
LOGIN_NEEDED = "Log in to get recommendations."


class InterestError(ValueError):
    """What the reader typed cannot be followed; the message says why."""


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)  # arXiv ids now in the library
    already: list[str] = field(default_factory=list)  # were there before
    unknown: list[str] = field(default_factory=list)  # not in the catalog (and not fetched)
    fetching: list[str] = field(default_factory=list)  # queued: fetched from arXiv, then added
    problems: list[str] = field(default_factory=list)  # entries or words that gave no id


def library_import_bibtex(*, user: AnyUser | None, text: str) -> ImportReport:
    """Add the papers of a BibTeX file (ids in eprint, arxiv or URL fields) to the reader's
    library; entries that cannot be read or carry no arXiv id are reported, the rest imported."""
    return _import(user, ids_from_bibtex(text))


def library_import_all(*, user: AnyUser | None, ids: str = "", bibtex: str = "") -> ImportReport:
    """Both at once (the setup page's form): one report."""
    found = Found()
    for part in (ids_from_text(ids), ids_from_bibtex(bibtex) if bibtex.strip() else Found()):
        found.ids.extend(i for i in part.ids if i not in found.ids)
        found.problems.extend(part.problems)
    return _import(user, found)


def _import(user: AnyUser | None, found: Found) -> ImportReport:
    user = require_login(user, LOGIN_NEEDED)
    report = ImportReport(problems=found.problems)
    wanted = found.ids[:MAX_IMPORT]
    if len(found.ids) > MAX_IMPORT:
        report.problems.append(f"only the first {MAX_IMPORT:,} papers were imported")
    papers = dict(Paper.objects.filter(arxiv_id__in=wanted).values_list("arxiv_id", "id"))
    missing = [arxiv_id for arxiv_id in wanted if arxiv_id not in papers]
    if missing and settings.RECOMMEND_IMPORT_FETCH:
        # Fetching up to a hundred papers from arXiv (3 s between requests) is queued work,
        # never part of the request: the worker adds them to the library as they arrive.
        report.fetching = missing[: settings.RECOMMEND_IMPORT_FETCH]
        library_fetch_missing.enqueue(user_id=user.pk, arxiv_ids=report.fetching)
    fetching = set(report.fetching)
    present = set(
        LibraryEntry.objects.filter(user=user, paper_id__in=papers.values()).values_list(
            "paper__arxiv_id", flat=True
        )
    )
    new = []
    for arxiv_id in wanted:
        if arxiv_id in fetching:
            continue
        if arxiv_id not in papers:
            report.unknown.append(arxiv_id)
        elif arxiv_id in present:
            report.already.append(arxiv_id)
        else:
            new.append(LibraryEntry(user=user, paper_id=papers[arxiv_id]))
            report.added.append(arxiv_id)
    if new:
        with transaction.atomic():
            LibraryEntry.objects.bulk_create(new, ignore_conflicts=True)
        reader_model_expire(user_id=user.pk)  # bulk_create sends no signals
    return report


def interest_add(*, user: AnyUser | None, kind: str, text: str) -> Interest:
    """Follow a category ("cs.LG") or an author (any spelling of a name in the catalog)."""
    user = require_login(user, LOGIN_NEEDED)
    text = " ".join((text or "").split())
    if kind == Interest.CATEGORY:
        canonical = category_canonical(text[:40]) if len(text) <= 40 else None
        if canonical is None:
            raise InterestError(f"“{text[:60]}” is not an arXiv category; try one like cs.LG.")
        value, label = canonical, canonical
    elif kind == Interest.AUTHOR:
        author = Author.objects.filter(key=author_key(text)).first() if text else None
        if author is None:
            raise InterestError(
                f"No author named “{text[:100]}” in the catalog; check the spelling, "
                "or follow a name as it appears on a paper."
            )
        value, label = author.key, author.name
    else:
        raise InterestError(f"unknown kind of interest {kind!r}")
    if Interest.objects.filter(user=user).count() >= MAX_INTERESTS:
        raise InterestError(f"You already follow {MAX_INTERESTS}; remove one first.")
    try:
        with transaction.atomic():
            interest, _ = Interest.objects.get_or_create(
                user=user, kind=kind, value=value, defaults={"label": label}
            )
    except IntegrityError:  # the same follow from two requests at once
        interest = Interest.objects.get(user=user, kind=kind, value=value)
    return interest


def interest_remove(*, user: AnyUser | None, interest_id: int) -> None:
    """Stop following; a no-op when the interest is gone or someone else's."""
    user = require_login(user, LOGIN_NEEDED)
    for interest in Interest.objects.filter(user=user, id=interest_id):
        interest.delete()
