"""Reads: an author's page (their claim, papers, papers per year, co-authors) and a reader's
claims."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import ExtractYear

from paperfeed.authors.models import Claim, Exclusion
from paperfeed.papers.models import Author, Authorship, Paper
from paperfeed.papers.selectors import author_papers

COAUTHORS = 10
# Co-authors are counted over the author's newest papers, leaving out papers with more authors
# than this: a collaboration's thousand names say nothing about whom someone works with, and
# counting them would make a physicist's page read millions of rows.
COAUTHOR_PAPERS = 1_000
COAUTHOR_MAX_AUTHORS = 50


@dataclass(frozen=True)
class CoAuthor:
    name: str
    papers: int  # papers written together


@dataclass(frozen=True)
class AuthorPage:
    """What an author's page shows, for the person looking at it."""

    claim: Claim | None  # the confirmed claim, if any
    own_claim: Claim | None  # the viewer's claim on this author, whatever its status
    papers: QuerySet[Paper]  # newest first; a claimed page leaves out the "not me" papers
    years: list[tuple[int, int]]  # (year, papers) for the years with papers, in order
    coauthors: list[CoAuthor]
    excluded: list[Paper] = field(default_factory=list)  # "not me", shown to the claimant

    @property
    def is_claimant(self) -> bool:
        return self.claim is not None and self.claim == self.own_claim


def author_page(*, author: Author, viewer: User | None) -> AuthorPage:
    claim = author_claim(author=author)
    own = claim if claim is not None and viewer is not None and claim.user_id == viewer.pk else None
    if own is None and viewer is not None:
        own = Claim.objects.filter(author=author, user=viewer).first()
    papers = claimed_author_papers(author=author, claim=claim)
    excluded: list[Paper] = []
    if claim is not None and claim == own:
        excluded = list(claim_excluded_papers(claim=claim))
    return AuthorPage(
        claim=claim,
        own_claim=own,
        papers=papers,
        years=papers_per_year(papers=papers),
        coauthors=author_coauthors(author=author, papers=papers),
        excluded=excluded,
    )


def author_claim(*, author: Author) -> Claim | None:
    """The author's confirmed claim, with its claimant."""
    confirmed = Claim.objects.filter(author=author, status=Claim.CONFIRMED)
    return confirmed.select_related("user").first()


def claimed_author_papers(*, author: Author, claim: Claim | None) -> QuerySet[Paper]:
    """The author's papers (papers.selectors.author_papers) less those the claim says are
    someone else's."""
    papers = author_papers(author=author)
    if claim is None:
        return papers
    return papers.exclude(id__in=Exclusion.objects.filter(claim=claim).values("paper_id"))


def claim_excluded_papers(*, claim: Claim) -> QuerySet[Paper]:
    """The papers the claim took off its author's page, newest first."""
    excluded = Exclusion.objects.filter(claim=claim).values("paper_id")
    return Paper.objects.filter(id__in=excluded).only("arxiv_id", "title", "published")


def papers_per_year(*, papers: QuerySet[Paper]) -> list[tuple[int, int]]:
    """How many of these papers were published each year, for the years that have any."""
    rows = (
        papers.order_by()
        .filter(published__isnull=False)
        .annotate(year=ExtractYear("published"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [(row["year"], row["n"]) for row in rows]


def author_coauthors(
    *, author: Author, papers: QuerySet[Paper], limit: int = COAUTHORS
) -> list[CoAuthor]:
    """The people the author has written the most of these papers with, most first."""
    # NOT EXISTS, per paper, answered by the (paper, position) index.
    crowded = Authorship.objects.filter(paper=OuterRef("pk"), position__gte=COAUTHOR_MAX_AUTHORS)
    counted = (
        papers.exclude(Exists(crowded)).order_by("-published", "-id").values("id")[:COAUTHOR_PAPERS]
    )
    rows = (
        Authorship.objects.filter(paper_id__in=counted)
        .exclude(author_id=author.pk)
        .values("author_id", "author__name")
        .annotate(n=Count("paper_id", distinct=True))
        .order_by("-n", "author__name")[:limit]
    )
    return [CoAuthor(name=row["author__name"], papers=row["n"]) for row in rows]


def claims_of(*, user: User) -> list[Claim]:
    """The reader's claims, with their authors, newest first."""
    return list(Claim.objects.filter(user=user).select_related("author"))


def claim_get(*, claim_id: int) -> Claim | None:
    return Claim.objects.filter(pk=claim_id).select_related("author").first()
