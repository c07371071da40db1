"""Cold-start imports: ids the catalog lacks are fetched from arXiv (a loopback replay of
recorded arXiv API answers), the rest reported."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from pytest_django.fixtures import Settings

from paperfeed.accounts.models import LibraryEntry
from paperfeed.papers.models import Paper
from paperfeed.recommend.importing import library_import_all, library_import_bibtex
from paperfeed.recommend.models import ReaderModel
from paperfeed.recommend.selectors import recommendations_for
from tests.recommend.test_recommendations import SINCE
from tests.support import recorded_atom
from tests.support.replay import ReplayServer, Reply

pytestmark = pytest.mark.django_db
HEAT_BATH = "id_1605.08386_s0_m100_199195aa31ad"  # arXiv's answer for 1605.08386
NOTHING = "id_0000.0000_s0_m100_8b51d9633a68"  # arXiv's empty answer


@pytest.fixture
def arxiv(replay_server: ReplayServer, settings: Settings) -> ReplayServer:
    settings.ARXIV_API_URL = f"{replay_server.url}/api/query"
    settings.ARXIV_API_DELAY = 0
    settings.RECOMMEND_IMPORT_FETCH = 100
    return replay_server


def answer(server: ReplayServer, name: str) -> None:
    server.add("/api/query", None, Reply(200, str(recorded_atom(name)["body"])))


def test_papers_the_catalog_lacks_are_fetched_from_arxiv(
    arxiv: ReplayServer, catalog: list[Paper], user: User
) -> None:
    answer(arxiv, HEAT_BATH)
    report = library_import_all(
        user=user, ids=f"{catalog[0].arxiv_id} arXiv:1605.08386v1 1901.00001"
    )
    assert arxiv.requests[0].query["id_list"] == "1605.08386,1901.00001"
    # Fetched by a queued task (run at once in tests; by `paperfeed worker` in a site).
    assert report.added == [catalog[0].arxiv_id]
    assert report.fetching == ["1605.08386", "1901.00001"] and report.unknown == []
    assert Paper.objects.get(arxiv_id="1605.08386").title == (
        "Heat-bath random walks with Markov bases"
    )
    assert set(
        LibraryEntry.objects.filter(user=user).values_list("paper__arxiv_id", flat=True)
    ) == {catalog[0].arxiv_id, "1605.08386"}  # 1901.00001: arXiv did not answer for it


def test_a_paper_without_a_vector_yet_waits_for_the_index(
    arxiv: ReplayServer, catalog: list[Paper], user: User
) -> None:
    answer(arxiv, HEAT_BATH)
    library_import_all(user=user, ids="1605.08386")
    assert recommendations_for(user=user, since=SINCE) == []  # nothing to learn from yet
    stored = ReaderModel.objects.get(user=user)
    assert (stored.kind, stored.missing) == ("empty", 1)


def test_nothing_found_anywhere_is_reported(arxiv: ReplayServer, user: User) -> None:
    answer(arxiv, NOTHING)
    report = library_import_bibtex(user=user, text="@misc{a, eprint={2501.00001}}")
    assert (report.added, report.fetching) == ([], ["2501.00001"])
    assert not LibraryEntry.objects.filter(user=user).exists()


def test_an_import_marks_the_model_for_retraining(catalog: list[Paper], user: User) -> None:
    library_import_all(user=user, ids=catalog[0].arxiv_id)
    recommendations_for(user=user, since=SINCE)
    assert ReaderModel.objects.get(user=user).kind == "neighbours"
    library_import_bibtex(
        user=user,
        text="\n".join(
            f"@misc{{k{i}, eprint={{{p.arxiv_id}}}}}" for i, p in enumerate(catalog[1:4])
        ),  # fmt: skip
    )
    assert ReaderModel.objects.get(user=user).stale
    recommendations_for(user=user, since=SINCE)
    assert ReaderModel.objects.get(user=user).kind == "learned"
