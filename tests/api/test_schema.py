"""schemathesis against /api/openapi.json on a live server (loopback): generated valid and
invalid requests to every operation, with and without a token; no 500s, and every answer
matches the schema (status, content type, body, headers)."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from paperfeed.accounts.tokens import api_token_create
from paperfeed.search.indexing import keyword_sync
from tests.api.conftest import build_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Operations whose input is checked beyond what a schema can say, and refused with a reason
# (400): whether arXiv has the paper, and whether it is recent enough to feature. schemathesis
# would count those refusals as "valid data rejected"; every other check still runs on them.
# Everything else the server checks, the schema declares (paperfeed/api/constraints.py).
BEYOND_SCHEMA = {"/api/papers/index"}
EXAMPLES = 10  # per operation: the whole run stays well under a minute


@pytest.fixture
def api_schema(live_server: Any, transactional_db: None, settings: Any) -> Any:
    settings.API_WRITE_RATE = settings.API_SEARCH_RATE = 1_000_000
    build_world(timezone.localdate())
    keyword_sync(rebuild=True)
    return schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")


@pytest.fixture
def token(transactional_db: None) -> str:
    user = User.objects.create_user("schemathesis")
    return api_token_create(user=user, name="schemathesis").secret


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_conforms_to_its_schema(api_schema: Any, token: str, mode: GenerationMode) -> None:
    """Every operation, valid then invalid input, each request with a token (schemathesis also
    sends it without, to check that authentication is not ignored)."""
    auth = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:
        excluded = [positive_data_acceptance] if operation.path in BEYOND_SCHEMA else []
        try:
            exercise(operation, mode, headers=auth, excluded=excluded)
        except Unsatisfiable:
            # No invalid request exists for this operation (every string is a valid path
            # parameter, and it takes nothing else).
            assert mode == GenerationMode.NEGATIVE, operation.label


def exercise(
    operation: Any, mode: GenerationMode, *, headers: dict[str, str], excluded: list[Any]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    check()


def test_every_parameter_and_field_is_described(client: Any, db: None) -> None:
    spec = client.get("/api/openapi.json").json()
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not operation.get("description"):
                missing.append(f"{method.upper()} {path}")
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    missing.append(f"{method.upper()} {path} {parameter['name']}")
    for name, component in spec["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{name}.{field}")
    assert missing == []
    assert client.get("/api/docs").status_code == 200
