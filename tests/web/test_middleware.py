"""Site-wide security middleware: the Content-Security-Policy (django-csp), HEAD wherever GET
answers, and the cap on request bodies (413)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.test import Client, RequestFactory

from paperfeed.accounts.tokens import api_token_create
from paperfeed.web.middleware import HeadMiddleware
from tests.web.conftest import World

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "paperfeed" / "web" / "templates"


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


# Content-Security-Policy


def test_pages_carry_a_strict_content_security_policy(client: Client, world: World) -> None:
    csp = directives(client.get("/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"] and csp["object-src"] == ["'none'"]
    for path in ("/trending", "/search?q=weather", "/papers/2603.00001", "/subscribe", "/nope"):
        assert "'unsafe-inline'" not in client.get(path)["Content-Security-Policy"]


def test_web_templates_have_no_inline_scripts_styles_or_handlers() -> None:
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"  # a script body
        r"|<style|\sstyle=|\son[a-z]+=",
        re.IGNORECASE,
    )
    found = [
        f"{path.relative_to(TEMPLATES)}: {match[0]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in inline.finditer(path.read_text())
    ]
    assert not found


def test_htmx_keeps_its_indicator_style_in_the_stylesheet(client: Client, world: World) -> None:
    html = client.get("/").content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in html
    assert '<script src="/static/web/site.js" defer></script>' in html
    css = b"".join(client.get("/static/web/site.css").streaming_content).decode()
    assert ".htmx-request .htmx-indicator" in css


def test_only_the_digest_preview_allows_inline_styles(client: Client, make_user: Any) -> None:
    staff = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert directives(client.get("/admin/"))["style-src"] == ["'self'"]
    preview = client.get("/digests/preview?email=a@example.org")
    assert preview.status_code == 200
    assert directives(preview)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives(preview)["script-src"] == ["'self'"]
    assert directives(client.get("/accounts/profile/"))["style-src"] == ["'self'"]


def test_the_api_docs_come_from_local_static_files(client: Client) -> None:
    page = client.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert "cdn" not in html.lower() and "<script>" not in html
    assert '"validatorUrl": null' in html  # no badge image from validator.swagger.io
    assert directives(page)["script-src"] == ["'self'"]
    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert client.get(f"/static/ninja/{name}").status_code == 200


def test_secure_headers_that_need_no_https(client: Client, world: World) -> None:
    page = client.get("/")
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in page  # only with PAPERFEED_HTTPS


# HEAD


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/trending",
        "/papers/2603.00001",
        "/papers/hep-th/9901001",
        "/search?q=weather",
        "/feeds/daily.atom",
        "/feeds/trending.rss",
        "/api/daily_papers",
        "/api/papers/2603.00001",
        "/api/papers/search?q=weather",
        "/api/openapi.json",
        "/papers/9999.99999",  # a 404 stays a 404
        "/api/papers/9999.99999",
    ],
)
def test_head_answers_wherever_get_does(client: Client, indexed: World, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


def test_head_keeps_the_length_of_the_get(client: Client, world: World) -> None:
    got = client.get("/api/daily_papers")
    head = client.head("/api/daily_papers")
    assert head["Content-Length"] == str(len(got.content)) and head.content == b""


def test_head_is_refused_where_get_is(client: Client, world: World) -> None:
    # A POST-only action answers HEAD as it answers GET: 405, without running anything.
    assert client.get("/papers/2603.00001/vote").status_code == 405
    assert client.head("/papers/2603.00001/vote").status_code == 405
    assert client.head("/api/papers/index").status_code == 405


def test_the_head_middleware_drops_the_body_itself_and_retries_a_405_as_get() -> None:
    # The test client strips HEAD bodies on its own; here the middleware alone is looked at.
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.method or "")
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        return HttpResponse("hello", headers={"Content-Length": "5", "X-Kept": "yes"})

    answer = HeadMiddleware(view)(RequestFactory().head("/x"))
    assert seen == ["HEAD", "GET"]
    assert answer.status_code == 200 and answer.content == b""
    assert answer["Content-Length"] == "5" and answer["X-Kept"] == "yes"
    assert HeadMiddleware(view)(RequestFactory().post("/x")).status_code == 405


# Request bodies


@pytest.fixture
def small_bodies(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    settings.MAX_UPLOAD_BYTES = 20_000


def test_a_form_body_over_the_limit_is_a_413(
    member: Client, world: World, small_bodies: None
) -> None:
    page = member.post("/papers/2603.00001/comments", {"body": "x" * 3000})
    assert page.status_code == 413
    assert "too large" in page.content.decode() and "2 kB" in page.content.decode()
    ok = member.post("/papers/2603.00001/comments", {"body": "Fine."})
    assert ok.status_code == 302


def test_a_file_upload_may_be_larger_than_a_form_but_not_without_limit(
    member: Client, world: World, small_bodies: None
) -> None:
    entry = "@article{a, eprint={2603.00001}, archivePrefix={arXiv}}\n"
    bibtex = SimpleUploadedFile("refs.bib", (entry * 150).encode())  # 8 kB
    page = member.post("/for-you/import", {"ids": "", "bibtex": bibtex})
    assert page.status_code == 200 and "2603.00001" in page.content.decode()
    huge = SimpleUploadedFile("refs.bib", (entry * 500).encode())  # 27 kB
    assert member.post("/for-you/import", {"ids": "", "bibtex": huge}).status_code == 413


def test_a_large_text_field_in_an_upload_is_a_413_too(
    member: Client, world: World, small_bodies: None
) -> None:
    # Under the upload cap, but the text fields alone exceed the form limit: Django finds out
    # while reading the body, and the 400 handler answers 413.
    bibtex = SimpleUploadedFile("refs.bib", b"")
    page = member.post("/for-you/import", {"ids": "2603.00001\n" * 400, "bibtex": bibtex})
    assert page.status_code == 413 and "too large" in page.content.decode()


def test_an_api_body_over_the_limit_is_a_413_problem(
    client: Client, user: User, world: World, small_bodies: None
) -> None:
    token = api_token_create(user=user, name="t").secret
    answer = client.post(
        "/api/papers/2603.00001/comments",
        {"body": "x" * 3000},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/problem+json"
