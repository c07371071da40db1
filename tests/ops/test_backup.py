"""`paperfeed backup` and `paperfeed restore` as real processes on real databases: a backup taken
while another process keeps writing restores exactly the rows of one moment."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from paperfeed.ops.backup import counted_tables
from tests.ops.site import database_drop

HEAD = "arxiv/kaggle-snapshot-head-200.jsonl"
CLI = [sys.executable, "-m", "paperfeed"]
TIMEOUT = 180
# Every writer transaction adds one row to each of these, so a consistent snapshot holds the
# same number of each: the first k rows the writer committed.
WRITTEN = ("users", "votes", "comments", "subscriptions", "deliveries")

# Some featured papers and stored vectors, so that every counted table has rows.
SEED = """
import numpy as np
from datetime import date
from django.utils import timezone
from paperfeed.community.models import Featured
from paperfeed.papers.models import Paper
from paperfeed.search.models import PaperVector
rng = np.random.default_rng(7)
for n, paper in enumerate(Paper.objects.order_by("arxiv_id")[:60]):
    vector = rng.standard_normal(384).astype(np.float32)
    vector = (vector / np.linalg.norm(vector)).astype(np.float16)
    PaperVector.objects.create(paper=paper, model="all-MiniLM-L6-v2", vector=vector.tobytes(),
                               text_hash=f"{n:032d}", embedded_at=timezone.now())
    if n < 20:
        Featured.objects.create(paper=paper, featured_on=date(2024, 4, 1 + n % 5), source="hf",
                                source_upvotes=n)
"""

# Keeps writing, one transaction per reader (an account, a vote, a comment, a subscription and a
# delivery), logging each commit's time, until the stop file appears (or a minute has passed).
WRITER = """
import os, time
from datetime import date
from pathlib import Path
from django.contrib.auth import get_user_model
from django.db import transaction
from paperfeed.community.models import Comment, Vote
from paperfeed.digests.models import Delivery, Edition, Subscription
from paperfeed.papers.models import Paper
stop, log = Path(os.environ["WRITER_STOP"]), open(os.environ["WRITER_LOG"], "a", buffering=1)
papers = list(Paper.objects.order_by("id").values_list("id", flat=True))
edition = Edition.objects.create(frequency="daily", period_start=date(2024, 4, 1),
                                 period_end=date(2024, 4, 2), slug="2024-04-01")
n, deadline = 0, time.monotonic() + 60
while not stop.exists() and time.monotonic() < deadline:
    with transaction.atomic():
        user = get_user_model().objects.create_user(f"reader{n}", f"reader{n}@example.org")
        paper = papers[n % len(papers)]
        Vote.objects.create(user=user, paper_id=paper)
        Comment.objects.create(paper_id=paper, author=user, body=f"note {n}",
                               body_html=f"<p>note {n}</p>")
        subscription = Subscription.objects.create(email=f"reader{n}@example.org", user=user)
        Delivery.objects.create(edition=edition, subscription=subscription)
    log.write(f"{time.time()}\\n")
    n += 1
"""


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def site_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PAPERFEED_SECRET_KEY")}
    env["PAPERFEED_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def refused(done: subprocess.CompletedProcess[str], message: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]
    commits: list[float]  # when each writer transaction committed
    started: float
    ended: float


def backup_during_writes(env: dict[str, str], target: Path, work: Path) -> Backup:
    """Start the writer, take a backup while it writes, then stop it."""
    stop, log, errors = work / "writer.stop", work / "writer.log", work / "writer.err"
    env_writer = {**env, "WRITER_STOP": str(stop), "WRITER_LOG": str(log)}
    with errors.open("w") as err:
        writer = subprocess.Popen([*CLI, "shell", "-c", WRITER], env=env_writer,
                                  stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
    try:
        commits_wait(writer, log, 20, errors)
        started = time.time()
        done = run(env, "backup", str(target))
        ended = time.time()
        assert "backup of the" in done.stdout
        # and it went on writing after the backup
        commits_wait(writer, log, len(commits(log)) + 20, errors)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0, errors.read_text()
    manifest = json.loads((target / "manifest.json").read_text())
    return Backup(target, manifest, commits(log), started, ended)


def commits(log: Path) -> list[float]:
    return [float(line) for line in log.read_text().split()] if log.exists() else []


def commits_wait(writer: subprocess.Popen[bytes], log: Path, count: int, errors: Path) -> None:
    """Wait until the writer has committed `count` transactions (waiting on the process, so a
    writer that dies fails the test at once)."""
    deadline = time.monotonic() + 60
    while len(commits(log)) < count:
        assert time.monotonic() < deadline, "the writer is not writing"
        try:
            writer.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the writer stopped: {errors.read_text()}")


Rows = Callable[[str], list[tuple[Any, ...]]]


def sqlite_rows(path: Path) -> Rows:
    def rows(table: str) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(path)) as db:
            return db.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()

    return rows


def assert_restored_exactly(backup: Backup, source: Rows, restored: Rows) -> None:
    """The restored database holds exactly the rows the manifest counted, each one as it is in
    the source, and the writer's transactions whole: the first k of them, for one k."""
    counts = backup.manifest["counts"]
    for name, table in counted_tables().items():
        got, there = restored(table), {repr(row) for row in source(table)}
        assert len(got) == counts[name], name
        assert all(repr(row) in there for row in got), name
    assert counts["papers"] == 200 and counts["featured"] == 20 and counts["paper_vectors"] == 60
    k = counts["users"]
    assert 20 <= k < len(backup.commits)  # a moment in the middle of the writes
    for name in WRITTEN:
        table = counted_tables()[name]
        assert [row[0] for row in restored(table)] == [row[0] for row in source(table)][:k]
    # The k-th commit came before the backup finished, the next one after it began.
    assert backup.commits[k - 1] <= backup.ended and backup.commits[k] >= backup.started


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from tests.support import SHARED_DATA

    root = tmp_path_factory.mktemp("backup")
    env = site_env(root / "site")
    run(env, "migrate", "-v", "0")
    run(env, "ingest", "snapshot", str(SHARED_DATA / HEAD))
    run(env, "shell", "-c", SEED)
    backup = backup_during_writes(env, root / "backups" / "first", root)
    restored = root / "restored"
    done = run(site_env(restored), "restore", str(backup.path))
    yield {"root": root, "env": env, "backup": backup, "restored": restored, "output": done}


@pytest.mark.slow
def test_a_backup_taken_during_writes_restores_every_row(sqlite_site: dict[str, Any]) -> None:
    backup: Backup = sqlite_site["backup"]
    assert sorted(p.name for p in backup.path.iterdir()) == [
        "manifest.json", "paperfeed.db", "secret_key",
    ]  # fmt: skip
    assert not list(backup.path.parent.glob(".*partial"))
    manifest = backup.manifest
    assert manifest["database"] == {"engine": "sqlite", "file": "paperfeed.db"}
    assert manifest["paperfeed_version"] and manifest["created_at"]
    assert manifest["embedding_model"] == "all-MiniLM-L6-v2"
    site, restored = sqlite_site["root"] / "site", sqlite_site["restored"]
    assert_restored_exactly(
        backup, sqlite_rows(site / "paperfeed.db"), sqlite_rows(restored / "paperfeed.db")
    )
    with closing(sqlite3.connect(restored / "paperfeed.db")) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # the site's mode again
    assert (restored / "secret_key").read_text() == (site / "secret_key").read_text()
    out = sqlite_site["output"].stdout
    assert "rebuilding them from the database and its stored vectors" in out
    assert "keyword index: 200 papers written" in out
    assert "vector index: 60 vectors added" in out
    k = manifest["counts"]["users"]
    assert f"restored 200 papers · 20 featured · {k:,} votes · {k:,} comments" in out


@pytest.mark.slow
def test_search_finds_papers_after_a_restore(sqlite_site: dict[str, Any]) -> None:
    env = site_env(sqlite_site["restored"])
    done = run(env, "search", "diphoton Tevatron", "--mode", "keyword", "--json")
    assert json.loads(done.stdout)[0]["id"] == "0704.0001"
    vectors = sqlite_site["restored"] / "index" / "vectors"
    assert list(vectors.rglob("current.json"))  # the vector index was rebuilt too


@pytest.mark.slow
def test_restore_refuses_a_database_that_holds_data(sqlite_site: dict[str, Any]) -> None:
    site = sqlite_site["root"] / "site"
    before = sqlite_rows(site / "paperfeed.db")("auth_user")
    key = (site / "secret_key").read_text()
    done = run(sqlite_site["env"], "restore", str(sqlite_site["backup"].path), check=False)
    refused(done, "already holds 200 papers, 20 featured")
    assert "restore only into an empty home or database" in done.stderr
    assert sqlite_rows(site / "paperfeed.db")("auth_user") == before
    assert (site / "secret_key").read_text() == key


@pytest.mark.slow
def test_restore_replaces_an_empty_migrated_database(
    sqlite_site: dict[str, Any], tmp_path: Path
) -> None:
    env = site_env(tmp_path / "home")
    run(env, "migrate", "-v", "0")
    run(env, "restore", str(sqlite_site["backup"].path))
    rows = sqlite_rows(tmp_path / "home" / "paperfeed.db")
    assert len(rows("papers_paper")) == 200
    assert len(rows("auth_user")) == sqlite_site["backup"].manifest["counts"]["users"]


def damage_file(backup: Path) -> str:
    with (backup / "paperfeed.db").open("r+b") as db:
        db.seek(5000)
        byte = db.read(1)
        db.seek(5000)
        db.write(bytes([byte[0] ^ 1]))
    return "checksum mismatch for"


def damage_manifest(backup: Path) -> str:
    (backup / "manifest.json").write_text('{"format": 1, "files": ')
    return "manifest.json is not valid JSON"


def damage_missing(backup: Path) -> str:
    shutil.rmtree(backup)
    return "does not exist or is not a folder"


@pytest.mark.slow
@pytest.mark.parametrize("damage", [damage_file, damage_manifest, damage_missing])
def test_restore_refuses_a_damaged_backup(
    sqlite_site: dict[str, Any], tmp_path: Path, damage: Callable[[Path], str]
) -> None:
    backup = tmp_path / "backup"
    shutil.copytree(sqlite_site["backup"].path, backup)
    message = damage(backup)
    home = tmp_path / "home"
    refused(run(site_env(home), "restore", str(backup), check=False), message)
    assert not (home / "paperfeed.db").exists()
    assert not (home / "index").exists()


@pytest.mark.slow
def test_backup_refuses_a_folder_that_is_not_empty(
    sqlite_site: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "full"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    done = run(sqlite_site["env"], "backup", str(target), check=False)
    refused(done, "is not an empty folder; a backup never overwrites anything")
    assert [p.name for p in tmp_path.iterdir()] == ["full"]
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    run(sqlite_site["env"], "backup", str(empty))
    assert (empty / "manifest.json").is_file()


@pytest.mark.slow
def test_a_failed_backup_leaves_no_half_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with closing(sqlite3.connect(home / "paperfeed.db")) as db:
        db.execute("CREATE TABLE unrelated (x)")  # a database paperfeed never migrated
    done = run(site_env(home), "backup", str(tmp_path / "backups" / "b"), check=False)
    refused(done, "is not a migrated paperfeed database")
    assert list((tmp_path / "backups").iterdir()) == []


def test_pg_dump_is_found_on_path_or_in_debian_folders_or_named_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from paperfeed.ops import backup

    monkeypatch.setenv("PATH", str(tmp_path))
    installed = ["/usr/lib/postgresql/9/bin/pg_dump", "/usr/lib/postgresql/16/bin/pg_dump"]
    monkeypatch.setattr(backup, "glob", SimpleNamespace(glob=lambda pattern: installed))
    assert backup.pg_tool("pg_dump") == "/usr/lib/postgresql/16/bin/pg_dump"  # the newest
    (tmp_path / "pg_dump").write_text("#!/bin/sh\n")
    (tmp_path / "pg_dump").chmod(0o755)
    assert backup.pg_tool("pg_dump") == str(tmp_path / "pg_dump")
    (tmp_path / "pg_dump").unlink()
    installed.clear()
    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH or in /usr/lib"):
        backup.pg_tool("pg_dump")


# PostgreSQL: runs when the suite runs with DATABASE_URL pointing at PostgreSQL (CI's second pass).


def pg_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


def pg_connect(name: str) -> Any:
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(dbname=name, user=db["USER"], password=db["PASSWORD"],
                           host=db["HOST"], port=db["PORT"], autocommit=True)  # fmt: skip


def pg_rows(name: str) -> Rows:
    def rows(table: str) -> list[tuple[Any, ...]]:
        with closing(pg_connect(name)) as db:
            found: list[tuple[Any, ...]] = db.execute(
                f'SELECT * FROM "{table}" ORDER BY id'
            ).fetchall()
            return found

    return rows


@pytest.mark.slow
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: runs when DATABASE_URL points at one (CI's PostgreSQL pass)",
)
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_a_new_empty_database(
    shared_data: Path, tmp_path: Path
) -> None:
    source = connection.settings_dict["NAME"]  # the test database, migrated
    env = site_env(tmp_path / "site", pg_url(source))
    run(env, "ingest", "snapshot", str(shared_data / HEAD))
    run(env, "shell", "-c", SEED)
    backup = backup_during_writes(env, tmp_path / "backup", tmp_path)
    assert backup.manifest["database"] == {"engine": "postgresql", "file": "paperfeed.dump"}
    assert (backup.path / "paperfeed.dump").read_bytes()[:5] == b"PGDMP"  # custom format
    target = f"paperfeed_restore_{uuid.uuid4().hex[:12]}"
    with closing(pg_connect(source)) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_env = site_env(tmp_path / "restored", pg_url(target))
        refused(run(env, "restore", str(backup.path), check=False), "already holds 200 papers")
        other = tmp_path / "as-sqlite"
        shutil.copytree(backup.path, other)
        manifest = {**backup.manifest, "database": {"engine": "sqlite", "file": "paperfeed.dump"}}
        (other / "manifest.json").write_text(json.dumps(manifest))
        refused(run(restored_env, "restore", str(other), check=False), "across engines")
        done = run(restored_env, "restore", str(backup.path))
        assert "keyword index: 200 papers written" in done.stdout
        assert_restored_exactly(backup, pg_rows(source), pg_rows(target))
        found = run(restored_env, "search", "diphoton Tevatron", "--mode", "keyword", "--json")
        assert json.loads(found.stdout)[0]["id"] == "0704.0001"
    finally:
        database_drop(target)
