"""Community signal for bench/web.py, relative to today: users, papers featured on each of the
last days, votes and comments, with the derived counts and trending keys rebuilt.

Run inside a Django process over the benchmark's PAPERFEED_HOME (bench/web.py does). Popularity
is heavy-tailed, as on a real site: each featured paper draws votes in proportion to a Pareto
weight, so a few papers collect hundreds and most a handful; votes and comments arrive within
four days of the featured day. Rows are bulk-inserted; `featured_refresh_all` (what
`paperfeed rebuild_trending` runs) then derives `votes`, `comment_count` and `trend` from them.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from pathlib import Path

import search as search_bench  # bench/search.py: which papers are real
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F
from django.utils import timezone

from paperfeed.community.markdown import markdown_render
from paperfeed.community.models import Comment, Featured, Vote
from paperfeed.community.services import SUBMITTED
from paperfeed.community.trending import day_start, featured_refresh_all

COMMENTS = [
    "Nice result. How does this compare with [{other}](https://arxiv.org/abs/{other})?",
    "The ablation in section 4 is **very** convincing; is the code available?",
    "I tried this on my own data and the gains were smaller than reported.",
    "Could the method scale to `n > 10^6`? The complexity argument is not obvious to me.",
    "Related: {other}. *Same idea*, different setting.",
    "Great read. The appendix answers most of my questions.",
]


def seed(
    workdir: Path, *, seed: int, days: int = 60, per_day: int = 50, users: int = 2000,
    votes: int = 60_000, comments: int = 3000,
) -> None:  # fmt: skip
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    from paperfeed.papers.models import Paper

    real_ids = set(search_bench.IDS.read_text().split())
    papers = list(Paper.objects.order_by("id").values_list("id", "arxiv_id"))
    real = [p for p in papers if p[1] in real_ids]
    counts = [rng.randint(per_day * 7 // 10, per_day * 13 // 10) for _ in range(days)]
    chosen = rng.sample(real, sum(counts))

    User = get_user_model()
    password = make_password(None)  # unusable: these accounts never log in
    User.objects.bulk_create(
        [User(username=f"reader{i:04d}", email=f"reader{i:04d}@example.org", password=password)
         for i in range(users)], batch_size=1000,
    )  # fmt: skip
    people = list(User.objects.filter(username__startswith="reader").values_list("id", "username"))

    featured, day_of = [], {}
    rows = iter(chosen)
    for back, count in enumerate(counts):
        day = today - timedelta(days=back)
        for _ in range(count):
            pid, _ = next(rows)
            uid, name = rng.choice(people)
            day_of[pid] = day
            featured.append(Featured(paper_id=pid, featured_on=day, submitted_by=name,
                                     submitted_user_id=uid, source=SUBMITTED))  # fmt: skip
    weights = [rng.paretovariate(1.1) for _ in featured]
    hot = [f.paper_id for f in featured]

    def when(pid: int | None) -> datetime:
        """Within four days of the paper's featured day; any time in the period if not featured."""
        if pid in day_of:
            start = day_start(day_of[pid])
            span = min((now - start).total_seconds(), 4 * 86400)
        else:
            start, span = now - timedelta(days=days), days * 86400
        return start + timedelta(seconds=rng.uniform(0, max(span, 1)))

    seen: set[tuple[int, int]] = set()
    vote_rows = []
    for pid in rng.choices(hot, weights, k=votes * 85 // 100):
        uid = rng.choice(people)[0]
        if (uid, pid) not in seen:
            seen.add((uid, pid))
            vote_rows.append(Vote(user_id=uid, paper_id=pid, created_at=when(pid)))
    for pid, _ in rng.sample(papers, votes - len(vote_rows)):  # the rest: papers not featured
        if pid not in day_of:
            uid = rng.choice(people)[0]
            vote_rows.append(Vote(user_id=uid, paper_id=pid, created_at=when(None)))
    comment_rows = []
    for pid in rng.choices(hot, weights, k=comments):
        body = rng.choice(COMMENTS).format(other=rng.choice(real)[1])
        comment_rows.append(
            Comment(
                paper_id=pid,
                author_id=rng.choice(people)[0],
                body=body,
                body_html=markdown_render(body),
                created_at=when(pid),
            )
        )
    with transaction.atomic():
        Featured.objects.bulk_create(featured, batch_size=2000)
        Vote.objects.bulk_create(vote_rows, batch_size=5000)
        Comment.objects.bulk_create(comment_rows, batch_size=2000)
    featured_refresh_all()
    stars = repositories_seed(rng)
    # Paper pages to request: half featured papers (votes, comments), half any paper.
    half = min(1000, len(chosen))
    others = [p[1] for p in rng.sample(papers, half)]
    pages = [f"/papers/{a}" for a in rng.sample([p[1] for p in chosen], half) + others]
    rng.shuffle(pages)
    (workdir / "paths").mkdir(exist_ok=True)
    (workdir / "paths" / "paper.txt").write_text("\n".join(pages) + "\n")
    print(f"  {len(people):,} users, {len(featured):,} papers featured over {days} days, "
          f"{len(vote_rows):,} votes, {len(comment_rows):,} comments, {stars:,} repositories "
          "with stars in "
          f"{time.perf_counter() - started:,.0f} s")  # fmt: skip


def repositories_seed(rng: random.Random) -> int:
    """GitHub's answers, as the worker's repositories job would have stored them offline here:
    the repositories the papers name (found as they were ingested) get stars, a language and
    a licence, so that the cards carry their code badges with stars."""
    from paperfeed.links.models import Repository

    languages = ["Python", "Python", "Python", "C++", "Jupyter Notebook", "Rust", ""]
    rows = list(Repository.objects.only("id"))
    for row in rows:
        row.state = Repository.OK
        row.stars = int(rng.paretovariate(0.9) * 5)
        row.language = rng.choice(languages)
        row.license = rng.choice(["MIT", "Apache-2.0", ""])
        row.checked_at = timezone.now()
    Repository.objects.bulk_update(
        rows, ["state", "stars", "language", "license", "checked_at"], batch_size=2000
    )
    return len(rows)


def shift(*, days: int) -> None:
    """Move the featured days and the vote and comment times `days` later (the collection was
    built that many days ago), then rebuild the trending keys. SQLite or PostgreSQL."""
    later = timedelta(days=days)
    with transaction.atomic():
        Featured.objects.update(
            featured_on=ExpressionWrapper(F("featured_on") + later, output_field=DateField())
        )
        for model in (Vote, Comment):
            model.objects.update(created_at=F("created_at") + later)
    featured_refresh_all()
