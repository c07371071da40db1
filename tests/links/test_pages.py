"""Code on the site: the card's badge and abstract lines, the paper page's Code box with its
star chart, key phrases that link to a search, and feeds that carry the repository."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from paperfeed.links.models import Repository, StarCount
from paperfeed.search.models import PaperSummary
from tests.community.factories import feature, make_paper

pytestmark = pytest.mark.django_db
ABSTRACT = (
    "We present a retrieval model for long documents that scales to millions of passages "
    "without losing accuracy on the hardest queries. Code is available at "
    "https://github.com/ada/long-retrieval."
)


def checked(key: str, **fields: object) -> Repository:
    Repository.objects.filter(key=key).update(state=Repository.OK, **fields)
    return Repository.objects.get(key=key)


def test_a_card_shows_the_abstracts_first_lines_and_a_code_badge_with_stars(
    client: Client,
) -> None:
    day = timezone.localdate()
    with_code = make_paper("2611.00001", title="Long retrieval", abstract=ABSTRACT)
    without = make_paper(
        "2611.00002", title="No code here", abstract="Just theory, nothing to run."
    )
    feature(with_code, day, upvotes=3)
    feature(without, day, upvotes=1)
    checked("ada/long-retrieval", stars=12_345, language="Python")
    html = client.get("/").content.decode()
    assert 'class="abstract-lines"' in html and "retrieval model for long documents" in html
    badge = html.index('class="code-badge"')
    assert 'href="https://github.com/ada/long-retrieval"' in html[badge - 10 : badge + 200]
    assert "★ 12k" in html
    assert html.count('class="code-badge') == 1  # the paper without code has none


def test_the_paper_page_has_a_code_box_with_a_star_chart_and_key_phrases(client: Client) -> None:
    paper = make_paper(
        "2611.00001", title="Long retrieval", abstract=ABSTRACT,
        comments="Project page: https://ada.github.io/long-retrieval/ ; "
        "demo at https://huggingface.co/spaces/ada/long-retrieval-demo",
    )  # fmt: skip
    repository = checked(
        "ada/long-retrieval", stars=140, language="Rust", license="MIT",
        pushed_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    today = timezone.localdate()
    for days_ago, stars in [(30, 20), (10, 90), (0, 140)]:
        StarCount.objects.create(
            repository=repository, day=today - timedelta(days_ago), stars=stars
        )
    PaperSummary.objects.create(
        paper=paper, keywords=["long documents", "retrieval model"],
        summary="We present a retrieval model for long documents.", text_hash="x",
    )  # fmt: skip
    html = client.get("/papers/2611.00001").content.decode()
    box = html[html.index('class="card code-box"') :]
    assert "ada/long-retrieval" in box and "★ 140 stars" in box
    assert "Rust" in box and "MIT" in box
    assert '<svg class="star-chart"' in box and "20 stars on" in box and "(+120)" in box
    assert 'href="https://ada.github.io/long-retrieval"' in box
    assert "ada/long-retrieval-demo" in box
    assert 'href="/search?q=%22long%20documents%22"' in html
    assert "In one sentence, extracted" in html


def test_a_repository_gone_from_github_says_so_and_a_paper_without_links_has_no_box(
    client: Client,
) -> None:
    make_paper("2611.00001", abstract=ABSTRACT)
    make_paper("2611.00002", abstract="Nothing to link.")
    Repository.objects.filter(key="ada/long-retrieval").update(state=Repository.GONE)
    assert (
        "This repository is gone from GitHub." in client.get("/papers/2611.00001").content.decode()
    )
    assert "code-box" not in client.get("/papers/2611.00002").content.decode()


def test_feeds_carry_the_repository(client: Client) -> None:
    paper = make_paper("2611.00001", abstract=ABSTRACT)
    feature(paper, timezone.localdate(), upvotes=2)
    body = client.get("/feeds/daily.rss").content.decode()
    assert "Code: https://github.com/ada/long-retrieval" in body


def test_the_paper_page_with_code_stays_within_its_query_budget(
    client: Client, django_assert_max_num_queries: object
) -> None:
    make_paper("2611.00001", abstract=ABSTRACT)
    checked("ada/long-retrieval", stars=5)
    client.get("/papers/2611.00001")  # warm the caches
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        assert client.get("/papers/2611.00001").status_code == 200


def test_trending_by_stars_ranks_papers_by_the_stars_their_code_gained(client: Client) -> None:
    today = timezone.localdate()
    slow = make_paper("2611.00001", title="Slow riser", abstract="Code: https://github.com/a/slow")
    fast = make_paper("2611.00002", title="Fast riser", abstract="Code: https://github.com/b/fast")
    make_paper("2611.00003", title="Old star", abstract="Code: https://github.com/c/old")
    feature(slow, today, upvotes=50)  # votes do not count on this ranking
    for key, counts in [
        ("a/slow", [(6, 100), (0, 110)]),
        ("b/fast", [(6, 10), (3, 200), (0, 900)]),
        ("c/old", [(20, 5_000), (0, 5_000)]),  # big but flat: gains nothing
    ]:
        repository = checked(key, stars=counts[-1][1])
        for days_ago, stars in counts:
            StarCount.objects.create(
                repository=repository, day=today - timedelta(days_ago), stars=stars
            )
    html = client.get("/trending?sort=stars&window=week").content.decode()
    assert html.index("Fast riser") < html.index("Slow riser")
    assert "Old star" not in html
    assert "+890 stars" in html and "+10 stars" in html
    assert fast.pk  # never featured, and still ranked
    day_only = client.get("/trending?sort=stars&window=day").content.decode()
    assert "Fast riser" in day_only and "Slow riser" in day_only and "+700 stars" in day_only


def test_lists_can_show_only_papers_with_code(client: Client) -> None:
    day = timezone.localdate()
    feature(make_paper("2611.00001", title="Has code", abstract=ABSTRACT), day, upvotes=1)
    feature(make_paper("2611.00002", title="Only words", abstract="Theory."), day, upvotes=2)
    both = client.get("/").content.decode()
    assert "Has code" in both and "Only words" in both
    only = client.get("/?code=1").content.decode()
    assert "Has code" in only and "Only words" not in only
    trending = client.get("/trending?code=1").content.decode()
    assert "Has code" in trending and "Only words" not in trending
