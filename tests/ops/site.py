"""A whole paperfeed installation for tests that run real processes: its own home, and its own
database (SQLite in the home, or a throwaway PostgreSQL database when the suite runs on one)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from django.db import connection

CLI = [sys.executable, "-m", "paperfeed"]


class Site:
    def __init__(self, home: Path, **env: str) -> None:
        self.home = home
        self.database = ""
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(PAPERFEED_HOME=str(home), PAPERFEED_WORKER_NICE="0",
                        PAPERFEED_ARXIV_API_DELAY_MS="0", HF_HUB_OFFLINE="1", **env)  # fmt: skip
        if connection.vendor == "postgresql" and "DATABASE_URL" not in env:
            self.database = f"pf_test_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{self.database}"')
            db = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{self.database}"
            )
        self.run("migrate", "-v", "0")

    def run(self, *args: str, timeout: float = 120, check: bool = True,
            **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
        done = subprocess.run([*CLI, *args], env={**self.env, **env}, capture_output=True,
                              text=True, timeout=timeout)  # fmt: skip
        if check and done.returncode != 0:
            raise AssertionError(f"paperfeed {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def popen(self, *args: str, log: Path | None = None, **env: str) -> subprocess.Popen[str]:
        """Start a command; its output is piped, or written to `log` (a server, whose access
        log would fill a pipe nobody reads and stall it)."""
        out = open(log, "w") if log else subprocess.PIPE  # noqa: SIM115 (the child keeps it)
        return subprocess.Popen([*CLI, *args], env={**self.env, **env}, stdout=out,
                                stderr=subprocess.STDOUT, text=True)  # fmt: skip

    def serve(self, log: Path, *, workers: int = 2, ready: str = "/healthz") -> tuple[Any, str]:
        """`paperfeed serve` on a free loopback port, once `ready` answers 200: (process, base)."""
        import time

        import httpx

        from tests.web.test_serve import free_port

        port = free_port()
        server = self.popen("serve", "--port", str(port), "--workers", str(workers), log=log)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}{ready}", timeout=2).status_code == 200:
                    return server, base
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError(f"serve did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)

    def shell(self, code: str, **env: str) -> str:
        return self.run("shell", "-v", "0", "-c", code, **env).stdout

    def close(self) -> None:
        if self.database:
            database_drop(self.database)

    def _admin(self, sql: str) -> None:
        import psycopg

        db = connection.settings_dict
        params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"],
                  "password": db["PASSWORD"], "dbname": db["NAME"]}  # fmt: skip
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(sql)  # type: ignore[arg-type]


def database_drop(name: str, *, attempts: int = 20) -> None:
    """Drop a database the test made, once the processes that used it have let go. A plain
    DROP first: it also stops an autovacuum worker busy on the new database, which FORCE may not
    (terminating a superuser's process needs privileges the test role lacks); FORCE then ends
    connections of our own that linger."""
    import psycopg

    db = connection.settings_dict
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"],
              "password": db["PASSWORD"], "dbname": db["NAME"]}  # fmt: skip
    with psycopg.connect(**params, autocommit=True) as admin:
        for attempt in range(attempts):
            try:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[arg-type]
                return
            except psycopg.errors.ObjectInUse:
                try:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
                    return
                except psycopg.errors.InsufficientPrivilege:
                    if attempt == attempts - 1:
                        raise
            time.sleep(0.25)


SEED = """
from datetime import date, datetime, UTC
from paperfeed.community.models import Featured
from paperfeed.digests.models import Subscription
from paperfeed.lib.records import PaperRecord
from paperfeed.papers.ingest import papers_upsert_batch
records = []
for n, day in enumerate(range(20, 31)):
    when = datetime(2026, 11, day, 12, tzinfo=UTC)
    records.append(PaperRecord(arxiv_id=f"2611.{n:05d}", title=f"Paper of {day} November",
                               abstract="An abstract. " * 20, authors=["A. Author"],
                               categories=["cs.LG"], published=when, updated=when, version=1,
                               source="kaggle"))
ids = papers_upsert_batch(records=records).ids
for n, day in enumerate(range(20, 31)):
    Featured.objects.create(paper_id=ids[f"2611.{n:05d}"], featured_on=date(2026, 11, day),
                            submitted_by="someone", source="hf-featured",
                            source_upvotes=5)
for n in range(READERS):
    Subscription.objects.create(email=f"reader{n:02d}@example.org", nonce="n",
                                frequency="weekly" if n % 4 == 0 else "daily",
                                confirmed_at=datetime(2026, 11, 1, tzinfo=UTC))
print("seeded")
"""


def seed(site: Site, *, readers: int) -> None:
    assert "seeded" in site.shell(f"READERS = {readers}\n" + SEED)


def rows(site: Site, code: str) -> Any:
    """The repr of a value computed in the site's database (a query), read back."""
    import ast

    return ast.literal_eval(site.shell(f"print(repr({code}))").strip())
