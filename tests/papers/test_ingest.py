from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperfeed.lib.records import PaperRecord, Version
from paperfeed.papers.ingest import paper_upsert, papers_upsert_batch
from paperfeed.papers.models import Author, Authorship, Paper
from tests.papers.factories import record

pytestmark = pytest.mark.django_db


def test_it_stores_a_new_paper_with_clean_text_and_ordered_authors() -> None:
    paper, outcome = paper_upsert(
        record=record(
            title=r"Gr\"obner bases for $\Lambda_{\alpha}$",
            authors=[r"C. Bal\'azs", "E. L. Berger"],
        )
    )
    assert outcome == "new"
    assert paper.title == r"Gröbner bases for $\Lambda_{\alpha}$"
    assert paper.title_raw == r"Gr\"obner bases for $\Lambda_{\alpha}$"
    assert paper.abstract_raw == ""  # no LaTeX: the clean form is the source text
    assert paper.abstract_source == "We study things."
    assert paper.authors == ["C. Balázs", "E. L. Berger"]
    assert paper.authors_raw == [r"C. Bal\'azs", "E. L. Berger"]
    assert paper.primary_category == "cs.LG"
    assert paper.categories == "cs.LG stat.ML"
    links = Authorship.objects.filter(paper=paper).order_by("position")
    assert [(a.position, a.author.name) for a in links] == [(0, "C. Balázs"), (1, "E. L. Berger")]
    assert paper.authors_source[links[0].position] == r"C. Bal\'azs"


def test_it_skips_papers_already_stored() -> None:
    paper_upsert(record=record())
    before = Paper.objects.get().modified_at
    paper, outcome = paper_upsert(record=record())
    assert outcome == "unchanged"
    assert paper.modified_at == before
    assert Paper.objects.count() == 1
    assert Authorship.objects.count() == 2


def test_a_newer_version_updates_the_paper_and_keeps_its_history() -> None:
    paper_upsert(record=record(version=1))
    paper, outcome = paper_upsert(
        record=record(version=2, title="A better title", authors=["Ada Lovelace", "Grace Hopper"])
    )
    assert outcome == "updated"
    assert paper.version == 2
    assert paper.title == "A better title"
    assert [v["version"] for v in paper.versions] == [1, 2]
    assert paper.versions[1]["created"] == "2024-01-02T12:00:00+00:00"
    assert paper.published == datetime(2024, 1, 1, 12, tzinfo=UTC)
    names = list(
        Authorship.objects.filter(paper=paper)
        .order_by("position")
        .values_list("author__name", flat=True)
    )
    assert names == ["Ada Lovelace", "Grace Hopper"]
    assert Author.objects.filter(name="Alan Turing").exists()  # authors outlive an authorship


def test_an_older_version_never_overwrites_a_newer_one() -> None:
    paper_upsert(record=record(version=3, title="Third version"))
    paper, outcome = paper_upsert(record=record(version=1, title="First version"))
    assert outcome == "unchanged"
    assert paper.version == 3
    assert paper.title == "Third version"


def test_same_version_with_later_metadata_fills_in_journal_ref() -> None:
    paper_upsert(record=record())
    later = record(journal_ref="Nature 1 (2024)", updated=datetime(2024, 6, 1, tzinfo=UTC))
    paper, outcome = paper_upsert(record=later)
    assert outcome == "updated"
    assert paper.journal_ref == "Nature 1 (2024)"


def test_a_source_without_versions_only_fills_empty_fields() -> None:
    paper_upsert(record=record(abstract="The arXiv abstract.", categories=["cs.LG"]))
    hf = PaperRecord(arxiv_id="2401.00001", title="Title from elsewhere", source="hf-daily",
                     abstract="A reworded abstract.", comments="Project page: x")  # fmt: skip
    paper, outcome = paper_upsert(record=hf)
    assert outcome == "updated"
    assert paper.abstract == "The arXiv abstract."
    assert paper.title == "A study of 2401.00001"
    assert paper.comments == "Project page: x"
    assert paper.categories == "cs.LG"
    assert paper.source == "kaggle" and paper.last_source == "hf-daily"


def test_a_batch_with_the_same_paper_twice_keeps_the_newest() -> None:
    result = papers_upsert_batch(
        records=[record(version=2, title="v2"), record(version=1, title="v1"), record("2401.00002")]
    )
    assert (result.new, result.updated, result.unchanged) == (2, 0, 0)
    assert Paper.objects.get(arxiv_id="2401.00001").title == "v2"


def test_authors_shared_between_papers_are_one_author() -> None:
    papers_upsert_batch(
        records=[
            record("2401.00001", authors=[r"C. Bal\'azs"]),
            record("2401.00002", authors=["C. Balázs", "Someone Else"]),
        ]
    )
    author = Author.objects.get(key="c balazs")
    assert author.authorships.count() == 2
    assert Author.objects.count() == 2


def test_old_style_ids_are_stored_as_given() -> None:
    paper, _ = paper_upsert(record=record("hep-th/9901001"))
    assert Paper.objects.get(arxiv_id="hep-th/9901001") == paper


def test_on_stored_runs_inside_the_batch_transaction() -> None:
    def fail(result: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        papers_upsert_batch(records=[record()], on_stored=fail)
    assert Paper.objects.count() == 0  # the papers of a failed batch are not half-stored


def test_a_new_version_without_latex_clears_the_stale_raw_title() -> None:
    paper_upsert(record=record(version=1, title=r"On Gr\"obner bases"))
    paper, outcome = paper_upsert(record=record(version=2, title="On Groebner bases"))
    assert outcome == "updated"
    assert (paper.title, paper.title_raw, paper.title_source) == (
        "On Groebner bases", "", "On Groebner bases",
    )  # fmt: skip


def test_an_older_record_still_adds_its_version_history() -> None:
    api = record(version=3, title="Third", versions=[Version(3, datetime(2024, 3, 1, tzinfo=UTC))])
    paper_upsert(record=api)
    paper, outcome = paper_upsert(record=record(version=2, title="Second"))
    assert outcome == "updated"
    assert [v["version"] for v in paper.versions] == [1, 2, 3]
    assert (paper.version, paper.title) == (3, "Third")


def test_a_versionless_record_with_a_later_date_applies_a_revision() -> None:
    paper_upsert(record=record(version=3, title="T3"))
    oai = PaperRecord(arxiv_id="2401.00001", title="T4 revised", source="oai",
                      updated=datetime(2024, 6, 1, tzinfo=UTC))  # fmt: skip
    paper, outcome = paper_upsert(record=oai)
    assert outcome == "updated"
    assert (paper.title, paper.updated, paper.version) == (
        "T4 revised", datetime(2024, 6, 1, tzinfo=UTC), 3,
    )  # fmt: skip
    stale = PaperRecord(arxiv_id="2401.00001", title="Stale", source="oai",
                        updated=datetime(2024, 2, 1, tzinfo=UTC))  # fmt: skip
    assert paper_upsert(record=stale)[1] == "unchanged"


def _authorships(arxiv_id: str) -> list[tuple[int, str, str]]:
    return list(
        Authorship.objects.filter(paper__arxiv_id=arxiv_id)
        .order_by("position")
        .values_list("position", "author__key", "author__name")
    )


def test_authorships_follow_each_papers_list_through_repeats_and_odd_names() -> None:
    # The batch's authors travel to the database as JSON documents: quotes, non-ASCII names,
    # a name twice on one paper and a paper without authors must all come through.
    papers_upsert_batch(
        records=[
            record("2401.00001", authors=["Zoë Ünal", '"?"', "Zoë Ünal"]),
            record("2401.00002", authors=['"?"', "Grace Hopper"]),
            record("2401.00003", authors=[]),
        ]
    )
    assert _authorships("2401.00001") == [
        (0, "zoe unal", "Zoë Ünal"), (1, '"?"', '"?"'), (2, "zoe unal", "Zoë Ünal"),
    ]  # fmt: skip
    assert _authorships("2401.00002") == [(0, '"?"', '"?"'), (1, "grace hopper", "Grace Hopper")]
    assert _authorships("2401.00003") == []
    assert Author.objects.count() == 3


def test_a_changed_author_list_replaces_the_authorships_and_touches_no_other_paper() -> None:
    papers_upsert_batch(
        records=[
            record("2401.00001", authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"]),
            record("2401.00002", authors=["Alan Turing"]),
        ]
    )
    result = papers_upsert_batch(
        records=[
            record("2401.00001", version=2, authors=["Grace Hopper"]),
            record("2401.00003", authors=["Alan Turing", "Ada Lovelace"]),
        ]
    )
    assert (result.new, result.updated) == (1, 1)
    assert _authorships("2401.00001") == [(0, "grace hopper", "Grace Hopper")]
    assert _authorships("2401.00002") == [(0, "alan turing", "Alan Turing")]
    assert _authorships("2401.00003") == [
        (0, "alan turing", "Alan Turing"), (1, "ada lovelace", "Ada Lovelace"),
    ]  # fmt: skip
    assert Authorship.objects.count() == 4


def test_a_new_author_keeps_the_first_spelling_of_their_name() -> None:
    papers_upsert_batch(
        records=[
            record("2401.00001", authors=["C. Balazs"]),
            record("2401.00002", authors=["C. Balázs"]),
        ]
    )
    papers_upsert_batch(records=[record("2401.00003", authors=["c. balazs"])])
    assert list(Author.objects.values_list("key", "name")) == [("c balazs", "C. Balazs")]
