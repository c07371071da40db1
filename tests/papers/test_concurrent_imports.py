"""Two imports of the same file at once, as two real processes: nothing stored twice, no crash."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from paperfeed.papers.models import Authorship, Paper

LINES = 3000


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once(shared_data: Path, tmp_path: Path) -> None:
    with gzip.open(shared_data / "arxiv/arxiv-sample-75k.jsonl.gz") as sample:
        lines = [next(sample) for _ in range(LINES)]
    path = tmp_path / "part.jsonl"
    path.write_bytes(b"".join(lines))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PAPERFEED_HOME"] = str(tmp_path / "home")
    cli = [sys.executable, "-m", "paperfeed"]
    if connection.vendor == "postgresql":  # the test database itself, already migrated
        db = settings.DATABASES["default"]
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    else:
        subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
    command = [*cli, "ingest", "snapshot", str(path), "--batch-size", "300", "--workers", "1"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    outputs = [proc.communicate(timeout=300) for proc in (first, second)]
    for proc, (_, err) in zip((first, second), outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert b"Traceback" not in err
    summaries = [out.decode() for out, _ in outputs]
    assert all(f"read {LINES:,}" in s for s in summaries)
    if connection.vendor != "postgresql":
        return  # the processes wrote to their own SQLite file; their summaries say enough
    assert Paper.objects.count() == LINES
    new = [int(re.search(r"new ([\d,]+)", s)[1].replace(",", "")) for s in summaries]  # type: ignore[index]
    assert sum(new) == LINES  # each paper was new to exactly one of the two
    links = sum(len(authors) for authors in Paper.objects.values_list("authors", flat=True))
    assert Authorship.objects.count() == links
