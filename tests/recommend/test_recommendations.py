"""recommendations_for over real papers and their real vectors: tiny libraries, papers without
vectors, dismissals, and readers kept apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest
import time_machine
from django.contrib.auth.models import User

from paperfeed.accounts.services import library_set
from paperfeed.community.services import vote_set
from paperfeed.papers.models import Paper
from paperfeed.recommend.models import ReaderModel
from paperfeed.recommend.selectors import recommendations_for, title_short
from paperfeed.recommend.services import dismissal_set
from paperfeed.search.models import PaperVector
from tests.recommend.conftest import by_title, reference_vector, store_vectors

pytestmark = pytest.mark.django_db
SINCE = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)

Reader = Callable[..., User]


def ids(recs: list) -> list[str]:
    return [r.paper.arxiv_id for r in recs]


def nearest_to(library: list[Paper], catalog: list[Paper], k: int) -> list[str]:
    """The k papers with the highest similarity to their nearest library paper, computed here
    from the reference vectors, independently of the code under test."""
    own = {p.id for p in library}
    others = [p for p in catalog if p.id not in own]
    lib = np.stack([reference_vector(p) for p in library])
    best = [float((lib @ reference_vector(p)).max()) for p in others]
    order = np.argsort(best)[::-1][:k]
    return [others[i].arxiv_id for i in order]


def test_a_reader_without_any_signal_gets_nothing(catalog: list[Paper], user: User) -> None:
    assert recommendations_for(user=user, since=SINCE) == []
    assert ReaderModel.objects.get(user=user).kind == "empty"


def test_one_paper_recommends_its_nearest_papers(catalog: list[Paper], reader: Reader) -> None:
    saved = by_title(catalog, "splat")[0]
    person = reader([saved])
    recs = recommendations_for(user=person, since=SINCE, limit=10)
    assert ids(recs) == nearest_to([saved], catalog, 10)
    assert ReaderModel.objects.get(user=person).kind == "neighbours"
    assert all(r.reason == f"close to “{title_short(saved.title)}” in your library" for r in recs)
    assert saved.arxiv_id not in ids(recs)


def test_two_papers_recommend_the_neighbours_of_both(catalog: list[Paper], reader: Reader) -> None:
    saved = [by_title(catalog, "splat")[0], by_title(catalog, "medical")[0]]
    person = reader(saved)
    recs = recommendations_for(user=person, since=SINCE, limit=10)
    assert ids(recs) == nearest_to(saved, catalog, 10)
    reasons = {r.reason for r in recs}
    assert {f"close to “{title_short(p.title)}” in your library" for p in saved} <= reasons


def test_upvotes_count_like_the_library(catalog: list[Paper], user: User) -> None:
    voted = by_title(catalog, "medical")[0]
    vote_set(user=user, paper=voted, on=True)
    recs = recommendations_for(user=user, since=SINCE, limit=5)
    assert ids(recs) == nearest_to([voted], catalog, 5)
    assert recs[0].reason == f"close to “{title_short(voted.title)}”, which you upvoted"


def test_a_larger_library_trains_a_classifier(catalog: list[Paper], reader: Reader) -> None:
    saved = by_title(catalog, "splat")[:6]
    person = reader(saved)
    recs = recommendations_for(user=person, since=SINCE, limit=10)
    assert ReaderModel.objects.get(user=person).kind == "learned"
    assert len(recs) == 10 and not {p.arxiv_id for p in saved} & set(ids(recs))
    # Most of what it picks is about the same subject: the other splatting papers.
    others = {p.arxiv_id for p in by_title(catalog, "splat")[6:]}
    assert len(others & set(ids(recs))) >= min(6, len(others))


def test_the_window_limits_what_is_recommended(catalog: list[Paper], reader: Reader) -> None:
    person = reader([by_title(catalog, "video")[0]])
    later = catalog[-20:]
    Paper.objects.filter(id__in=[p.id for p in later]).update(
        published=dt.datetime(2025, 3, 25, tzinfo=dt.UTC)
    )
    recs = recommendations_for(user=person, since=dt.datetime(2025, 3, 20, tzinfo=dt.UTC), limit=50)
    assert sorted(ids(recs)) == sorted(p.arxiv_id for p in later)
    until = recommendations_for(
        user=person, since=SINCE, until=dt.datetime(2025, 3, 20, tzinfo=dt.UTC), limit=500
    )
    assert not set(ids(until)) & {p.arxiv_id for p in later}


def test_library_papers_without_vectors_yet(catalog: list[Paper], reader: Reader) -> None:
    saved = by_title(catalog, "segment")[:3]
    PaperVector.objects.filter(paper=saved[2]).delete()
    person = reader(saved)
    recs = recommendations_for(user=person, since=SINCE, limit=5)
    stored = ReaderModel.objects.get(user=person)
    assert (stored.kind, stored.missing) == ("neighbours", 1)
    assert ids(recs) == nearest_to(saved[:2], [p for p in catalog if p != saved[2]], 5)
    # Once `paperfeed index` has embedded it, the model is trained again with it.
    store_vectors([saved[2]])
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        recommendations_for(user=person, since=SINCE, limit=5)
    stored.refresh_from_db()
    assert (stored.kind, stored.missing) == ("learned", 0)


def test_a_paper_nobody_embedded_is_not_recommended(catalog: list[Paper], reader: Reader) -> None:
    saved = by_title(catalog, "splat")[0]
    first = Paper.objects.get(arxiv_id=nearest_to([saved], catalog, 1)[0])
    PaperVector.objects.filter(paper=first).delete()
    person = reader([saved])
    recs = ids(recommendations_for(user=person, since=SINCE, limit=300))
    assert first.arxiv_id not in recs and len(recs) == len(catalog) - 2
    # Once embedded, it is the first pick.
    store_vectors([first])
    assert ids(recommendations_for(user=person, since=SINCE, limit=1)) == [first.arxiv_id]


def test_not_interested_is_honoured(catalog: list[Paper], reader: Reader) -> None:
    person = reader(by_title(catalog, "diffusion")[:4])
    before = recommendations_for(user=person, since=SINCE, limit=10)
    dismissed = before[0].paper
    dismissal_set(user=person, paper=dismissed)
    after = recommendations_for(user=person, since=SINCE, limit=300)
    assert dismissed.arxiv_id not in ids(after)
    assert len(after) == len(catalog) - 4 - 1
    # Taking it back shows it again.
    dismissal_set(user=person, paper=dismissed, on=False)
    assert dismissed.arxiv_id in ids(recommendations_for(user=person, since=SINCE, limit=300))


def test_dismissals_teach_the_model(catalog: list[Paper], reader: Reader) -> None:
    person = reader(by_title(catalog, "video")[:5])
    before = recommendations_for(user=person, since=SINCE, limit=300)
    dismissed = [r.paper for r in before[:5]]
    for paper in dismissed:
        dismissal_set(user=person, paper=paper)
    after = {r.paper.arxiv_id: r.score for r in recommendations_for(user=person, since=SINCE,
                                                                    limit=300)}  # fmt: skip
    # The papers most like the dismissed ones move down.
    twin = [r.paper.arxiv_id for r in before[5:40]]
    rank_before = {pid: i for i, pid in enumerate(twin)}
    rank_after = {pid: i for i, pid in enumerate(sorted(twin, key=lambda p: -after[p]))}
    moved = sum(rank_after[p] - rank_before[p] for p in twin)
    assert moved == 0  # a permutation: the sum is always 0; the check is on the nearest below
    near = _nearest(dismissed, [p for p in catalog if p.arxiv_id in twin], 5)
    assert sum(rank_after[p] for p in near) > sum(rank_before[p] for p in near)


def _nearest(to: list[Paper], among: list[Paper], k: int) -> list[str]:
    centre = np.mean([reference_vector(p) for p in to], axis=0)
    scored = sorted(among, key=lambda p: -float(reference_vector(p) @ centre))
    return [p.arxiv_id for p in scored[:k]]


def test_one_reader_never_sees_another_readers_library(
    catalog: list[Paper], reader: Reader
) -> None:
    ada = reader(by_title(catalog, "splat")[:4], name="ada")
    bob = reader(by_title(catalog, "medical")[:4], name="bob")
    alone = ids(recommendations_for(user=ada, since=SINCE, limit=300))
    for paper in by_title(catalog, "splat")[4:8]:
        library_set(user=bob, paper=paper, on=True)
    recs = recommendations_for(user=ada, since=SINCE, limit=300)
    assert ids(recs) == alone  # Bob's library changes nothing for Ada
    bob_titles = {title_short(p.title) for p in Paper.objects.filter(library_entries__user=bob)}
    assert not any(title in r.reason for r in recs for title in bob_titles)
    bobs = recommendations_for(user=bob, since=SINCE, limit=300)
    ada_titles = {title_short(p.title) for p in by_title(catalog, "splat")[:4]}
    assert not any(title in r.reason for r in bobs for title in ada_titles)


def test_a_stored_model_is_reused_until_the_library_changes(
    catalog: list[Paper], reader: Reader, django_assert_max_num_queries: Callable
) -> None:
    person = reader(by_title(catalog, "3d")[:5])
    recommendations_for(user=person, since=SINCE)
    trained = ReaderModel.objects.get(user=person).trained_at
    with django_assert_max_num_queries(9):
        recommendations_for(user=person, since=SINCE)
    assert ReaderModel.objects.get(user=person).trained_at == trained
    library_set(user=person, paper=by_title(catalog, "3d")[6], on=True)
    assert ReaderModel.objects.get(user=person).stale
    recommendations_for(user=person, since=SINCE)
    stored = ReaderModel.objects.get(user=person)
    assert not stored.stale and stored.trained_at > trained and len(stored.anchor_ids) == 6


def test_followed_archives_and_authors_start_a_new_reader(catalog: list[Paper], user: User) -> None:
    from paperfeed.recommend.importing import interest_add

    robotics = [p for p in catalog if "cs.RO" in p.category_list]
    interest_add(user=user, kind="category", text="cs.RO")
    recs = recommendations_for(user=user, since=SINCE, limit=500)
    assert sorted(ids(recs)) == sorted(p.arxiv_id for p in robotics)
    assert all(r.reason == "new in cs.RO, which you follow" for r in recs)
    interest_add(user=user, kind="category", text="eess")  # an archive: all its categories
    eess = {p.arxiv_id for p in catalog if any(c.startswith("eess.") for c in p.category_list)}
    assert eess and eess <= set(ids(recommendations_for(user=user, since=SINCE, limit=500)))
    # A followed author's papers come first.
    author = by_title(catalog, "medical")[0]
    interest_add(user=user, kind="author", text=author.authors[-1])
    first = recommendations_for(user=user, since=SINCE, limit=1)[0]
    assert author.authors[-1] in first.paper.authors
    assert first.reason == f"by {author.authors[-1]}, whom you follow"


def test_the_vector_index_and_the_stored_vectors_agree(
    catalog: list[Paper], reader: Reader
) -> None:
    import io

    from django.core.management import call_command

    from paperfeed.recommend.selectors import recommend_caches_clear
    from paperfeed.search.engine import engine

    person = reader(by_title(catalog, "diffusion")[:5])
    from_database = recommendations_for(user=person, since=SINCE, limit=20)
    call_command("index", "--no-embed", stdout=io.StringIO(), stderr=io.StringIO())
    recommend_caches_clear()
    current = engine()
    current.vectors.refresh()
    assert current.vectors.count == len(catalog)  # read from the index's flat copy now
    ReaderModel.objects.filter(user=person).delete()
    from_index = recommendations_for(user=person, since=SINCE, limit=20)
    assert ids(from_index) == ids(from_database)
    assert [r.reason for r in from_index] == [r.reason for r in from_database]
