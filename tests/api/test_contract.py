"""The API keeps its own contract: schemathesis's CLI, every check, against a real `paperfeed
serve` on loopback (gunicorn, so that what the HTTP server answers is tested too, such as 414),
seeded with the Kaggle snapshot's first papers, a few of them featured, and a user whose token
lets schemathesis write (upvotes, library, comments, saved searches, submissions).

Valid requests must be accepted, invalid ones refused, and every answer must match the schema:
status, content type, body and headers. tests/api/schemathesis.toml holds the exceptions the
schema cannot state, each with its reason. The served site always runs on SQLite in a temporary
home, whatever DATABASE_URL says: this checks the API's contract, not a database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from paperfeed.accounts.models import SavedSearch
from paperfeed.api.main import api as ninja_api
from tests.api.conftest import World, assert_problem
from tests.web.test_serve import free_port, server_wait

HEAD = "arxiv/kaggle-snapshot-head-200.jsonl"
CONFIG = Path(__file__).with_name("schemathesis.toml")
# About 40 seconds in all on two cores. --generation-deterministic makes the run the same every
# time (schemathesis then ignores the seed, which is there should that flag go).
EXAMPLES = 30
SEED = 1

# Run by `paperfeed shell -c`: five papers featured today and yesterday, with votes, so that the
# lists are not empty; a user with a saved search (id 1) and a collection of two papers
# (schemathesis/reading), which schemathesis.toml names; a token, printed last.
SEED_SCRIPT = """
from datetime import timedelta
from django.contrib.auth.models import User
from django.utils import timezone
from paperfeed.accounts.tokens import api_token_create
from paperfeed.community.models import Featured
from paperfeed.community.trending import featured_refresh
from paperfeed.papers.models import Paper
today = timezone.localdate()
papers = list(Paper.objects.order_by("arxiv_id")[:5])
for n, paper in enumerate(papers):
    Featured.objects.create(paper=paper, featured_on=today - timedelta(days=n % 2),
                            submitted_by="ada", source="hf-daily", source_upvotes=n)
featured_refresh(paper_ids=[p.pk for p in papers])
user = User.objects.create_user("schemathesis")
from paperfeed.accounts.models import SavedSearch
from paperfeed.collections.services import collection_create, collection_item_add
SavedSearch.objects.create(user=user, name="diffusion", query="diffusion")
reading = collection_create(user=user, title="Reading")
for paper in papers[:2]:
    collection_item_add(user=user, collection=reading, paper=paper, note="why")
print(api_token_create(user=user, name="contract").secret)
"""


@pytest.mark.slow
def test_the_served_api_keeps_its_schema(shared_data: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        PAPERFEED_HOME=str(tmp_path / "home"),
        # Limits far above what the run sends: 429 is documented, but a refusal would hide the
        # answer schemathesis is checking.
        PAPERFEED_API_WRITE_RATE="1000000",
        PAPERFEED_API_SEARCH_RATE="1000000",
        PAPERFEED_COMMENT_RATE="1000000",
        # No network: a submitted paper that is not in the catalog cannot be fetched (400).
        PAPERFEED_ARXIV_API_URL="http://127.0.0.1:9/api/query",
    )
    cli = [sys.executable, "-m", "paperfeed"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*cli, "ingest", "snapshot", str(shared_data / HEAD)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run([*cli, "index", "--no-embed"], env=env, check=True, capture_output=True)
    seeded = subprocess.run([*cli, "shell", "-c", SEED_SCRIPT], env=env, check=True,
                            capture_output=True, text=True)  # fmt: skip
    token = seeded.stdout.split()[-1]
    assert token.startswith("pf_"), seeded.stdout
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(server, f"{base}/api/openapi.json")
        started = time.monotonic()
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "--config-file", str(CONFIG),
                "run", f"{base}/api/openapi.json",
                "--checks", "all",
                "--header", f"Authorization: Bearer {token}",
                "--max-examples", str(EXAMPLES),
                "--seed", str(SEED),
                "--generation-deterministic",
                "--workers", "1",
                "--no-color",
            ],
            env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert run.returncode == 0, (
        f"schemathesis found problems ({took:.0f} s):\n{run.stdout}\n{run.stderr}"
    )
    counts = re.search(r"Selected: (\d+)/\d+\s+Tested: (\d+)", run.stdout)
    assert counts, run.stdout
    assert int(counts[1]) == int(counts[2]) >= 21, run.stdout  # every operation was tested


def wait_for(server: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=5).raise_for_status()
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            server_wait(server)


# The rules, one at a time ---------------------------------------------------------------------

Bearer = Callable[[User], dict[str, str]]


def spec(client: Client) -> dict[str, Any]:
    return client.get("/api/openapi.json").json()


def query_param(schema: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    operation = schema["paths"][path]["get"]
    return next(p for p in operation["parameters"] if p["name"] == name)


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [item["paper"]["id"] for item in response.json()]


@pytest.mark.parametrize(
    "value", ["0", "1700000000", "2026-03-14T00:00:00", "2026-02-30", "14.3.2026"]
)
def test_search_dates_are_days_written_yyyy_mm_dd(api: Client, indexed: World, value: str) -> None:
    """pydantic alone read before=0 as 1970-01-01 (Unix time) and took datetimes."""
    body = assert_problem(api.get(f"/api/papers/search?before={value}"), 422, detail_has="before")
    assert body["errors"][0]["field"] == "before"
    declared = query_param(spec(api), "/api/papers/search", "before")["schema"]
    assert declared["format"] == "date" and declared["maxLength"] == 10
    assert declared["type"] == "string" and "anyOf" not in declared  # never null in a query


def test_empty_query_values_are_absent_parameters(api: Client, world: World) -> None:
    latest = ids(api.get("/api/daily_papers"))
    assert latest == ["2603.00002", "2603.00001"]
    assert ids(api.get("/api/daily_papers?date=&month=")) == latest
    assert ids(api.get("/api/daily_papers?date=&week=&month=&submitter=&sort=&limit=&p=")) == latest
    searched = api.get("/api/papers/search?q=&before=&after=&mode=&category=")
    assert searched.status_code == 200
    # The last value that is not empty counts, as Django's QueryDict does without the rule.
    assert ids(api.get("/api/daily_papers?date=2026-03-12&date=")) == ["2603.00003"]
    # The schema says so of every optional query parameter.
    for path, operations in spec(api)["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "query":
                assert parameter["allowEmptyValue"] is True, (path, parameter["name"])


def test_periods_given_together_narrow_the_list_to_the_days_they_share(
    api: Client, world: World
) -> None:
    assert ids(api.get("/api/daily_papers?date=2026-03-12&month=2026-03")) == ["2603.00003"]
    assert ids(api.get("/api/daily_papers?week=2026-W11&date=2026-03-12")) == ["2603.00003"]
    assert ids(api.get("/api/daily_papers?date=2026-03-12&month=2026-02")) == []
    week = ["2603.00002", "2603.00001", "2603.00003", "2603.00004"]  # 9 to 15 March
    assert ids(api.get("/api/daily_papers?week=2026-W11&month=2026-03")) == week


def test_week_53_of_a_year_that_has_52_is_not_found(api: Client, world: World) -> None:
    assert_problem(api.get("/api/daily_papers?week=2025-W53"), 404, detail_has="2025 has 52")
    assert ids(api.get("/api/daily_papers?week=2026-W53")) == []  # 2026 has 53 weeks


@pytest.mark.parametrize(
    ("query", "name", "length"),
    [
        ("date=2026-03-140", "date", 10),
        ("week=2026-W110", "week", 8),
        ("month=2026-033", "month", 7),
    ],
)
def test_over_long_periods_are_refused_as_the_schema_says(
    api: Client, world: World, query: str, name: str, length: int
) -> None:
    assert_problem(api.get(f"/api/daily_papers?{query}"), 422, detail_has=f"{name}: use")
    declared = query_param(spec(api), "/api/daily_papers", name)["schema"]
    assert declared["maxLength"] == length and declared["pattern"].startswith("^")


def test_over_long_arxiv_ids_are_refused_as_the_schema_says(
    api: Client, world: World, user: User, bearer: Bearer
) -> None:
    url = "https://arxiv.org/abs/2603.00005?" + "x" * 300
    response = api.post(
        "/api/papers/index", {"arxivId": url}, content_type="application/json", headers=bearer(user)
    )
    assert_problem(response, 422, detail_has="arxivId")
    declared = spec(api)["components"]["schemas"]["SubmitIn"]["properties"]["arxivId"]
    assert declared["maxLength"] == 300
    assert re.fullmatch(declared["pattern"], "https://arxiv.org/abs/2603.00005?context=cs")


def test_over_long_saved_search_names_are_refused_as_the_schema_says(
    api: Client, world: World, user: User, bearer: Bearer
) -> None:
    payload = {"query": "diffusion", "name": "n" * 101}
    response = api.post(
        "/api/saved_searches", payload, content_type="application/json", headers=bearer(user)
    )
    assert_problem(response, 422, detail_has="name")
    declared = spec(api)["components"]["schemas"]["SavedSearchIn"]["properties"]
    assert declared["name"]["maxLength"] == SavedSearch.MAX_NAME_LENGTH == 100
    assert declared["query"]["maxLength"] == SavedSearch.MAX_QUERY_LENGTH
    payload = {"query": "diffusion", "name": "n" * 100}
    saved = api.post(
        "/api/saved_searches", payload, content_type="application/json", headers=bearer(user)
    )
    assert saved.status_code == 201 and saved.json()["name"] == "n" * 100


def test_blank_texts_are_declared_as_refused(api: Client, db: None) -> None:
    """A blank comment or saved query is refused by the service (400, with the reason); the
    schema's pattern says which texts count as blank: whitespace as Python's str.strip() sees
    it."""
    schemas = spec(api)["components"]["schemas"]
    for pattern in (
        schemas["CommentIn"]["properties"]["body"]["pattern"],
        schemas["SavedSearchIn"]["properties"]["query"]["pattern"],
    ):
        assert not re.search(pattern, " \t\n\u3000\x1c\x85")
        assert re.search(pattern, "  a ")


def test_the_schema_documents_414_everywhere_and_retry_after_with_429(
    api: Client, db: None
) -> None:
    paths = spec(api)["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "text/html" in operation["responses"]["414"]["content"], (method, path)
    throttled = 0
    for _, router in ninja_api._routers:
        for route, view in router.path_operations.items():
            for operation in view.operations:
                if not operation.throttle_objects:
                    continue
                throttled += 1
                path = "/api" + re.sub(r"{\w+:(\w+)}", r"{\1}", route)
                answer = paths[path][operation.methods[0].lower()]["responses"]["429"]
                assert answer["headers"]["Retry-After"]["required"] is True, path
                assert "application/problem+json" in answer["content"]
    assert throttled >= 12
