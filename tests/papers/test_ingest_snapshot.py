from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from paperfeed.papers.models import Author, IngestState, Paper

pytestmark = pytest.mark.django_db

HEAD = "arxiv/kaggle-snapshot-head-200.jsonl"


def ingest(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest_snapshot", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_every_record_of_the_real_snapshot_head(shared_data: Path) -> None:
    out, err = ingest(shared_data / HEAD)
    assert "read 200 · new 200 · updated 0 · unchanged 0 · rejected 0" in out
    assert err == ""
    assert Paper.objects.count() == 200
    first = Paper.objects.get(arxiv_id="0704.0001")
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors[0] == "C. Balázs"
    assert first.authors_raw[0] == "C. Bal\\'azs"
    assert first.doi == "10.1103/PhysRevD.76.013009"
    assert first.journal_ref == "Phys.Rev.D76:013009,2007"
    assert first.version == 2
    assert [v["version"] for v in first.versions] == [1, 2]
    assert first.published.isoformat() == "2007-04-02T19:18:42+00:00"
    assert Author.objects.filter(key="c balazs").exists()


def test_re_running_an_import_changes_nothing(shared_data: Path) -> None:
    ingest(shared_data / HEAD)
    modified = dict(Paper.objects.values_list("arxiv_id", "modified_at"))
    out, _ = ingest(shared_data / HEAD)
    assert "read 200 · new 0 · updated 0 · unchanged 200 · rejected 0" in out
    assert dict(Paper.objects.values_list("arxiv_id", "modified_at")) == modified
    assert IngestState.objects.count() == 0  # a finished import leaves no checkpoint


def test_bad_records_are_reported_with_their_line_and_skipped(
    shared_data: Path, tmp_path: Path
) -> None:
    good = (shared_data / HEAD).read_bytes().splitlines()[:3]
    bad = [
        good[0],
        b'{"id": "0704.9999", "title": "Truncated',
        b"\xff\xfe not utf-8",
        json.dumps({"title": "No id"}).encode(),
        json.dumps({"id": "not-an-id", "title": "Bad id"}).encode(),
        json.dumps({"id": "0704.9998", "title": ""}).encode(),
        good[1],
        good[2],
    ]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(bad) + b"\n")
    out, err = ingest(path)
    assert "read 3 · new 3 · updated 0 · unchanged 0 · rejected 5" in out
    for line_no in (2, 3, 4, 5, 6):
        assert f"rejected line {line_no}:" in err
    assert "not-an-id" in err
    assert Paper.objects.count() == 3


def test_a_file_with_nothing_readable_fails_and_keeps_what_was_stored(
    shared_data: Path, tmp_path: Path
) -> None:
    ingest(shared_data / HEAD)
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b"garbage\n{not json\n")
    with pytest.raises(CommandError, match="no paper could be read"):
        ingest(path)
    assert Paper.objects.count() == 200


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        ingest(tmp_path / "nope.jsonl")


def test_gzip_snapshot_reads_like_plain(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "head.jsonl.gz"
    path.write_bytes(gzip.compress((shared_data / HEAD).read_bytes()))
    out, _ = ingest(path, "--batch-size", "64")
    assert "read 200 · new 200" in out


def test_an_interrupted_import_resumes_after_the_last_committed_record(
    shared_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "head.jsonl"
    path.write_bytes((shared_data / HEAD).read_bytes())
    stat = path.stat()
    key = f"snapshot:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    # What an earlier run that was killed after committing 150 records left behind.
    IngestState.objects.create(key=key, value={"done": 150})
    out, _ = ingest(path)
    assert "resuming head.jsonl after record 150" in out
    assert "read 50 · new 50" in out
    assert "resumed after 150" in out
    out, _ = ingest(path, "--restart")
    assert "read 200 · new 150 · updated 0 · unchanged 50" in out


@pytest.mark.slow
def test_a_killed_import_loses_nothing_committed_and_a_rerun_completes(
    shared_data: Path, tmp_path: Path
) -> None:
    """A real process, really killed (SIGKILL) mid-import, on SQLite."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs against the embedded SQLite database")
    with gzip.open(shared_data / "arxiv/arxiv-sample-75k.jsonl.gz") as sample:
        lines = [next(sample) for _ in range(8000)]
    path = tmp_path / "part.jsonl"
    path.write_bytes(b"".join(lines))
    home = tmp_path / "home"
    env = dict(os.environ, PAPERFEED_HOME=str(home))
    cli = [sys.executable, "-m", "paperfeed"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
    proc = subprocess.Popen([*cli, "ingest", "snapshot", str(path), "--batch-size", "200"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    db = home / "paperfeed.db"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        with sqlite3.connect(db, timeout=30) as conn:
            stored = conn.execute("SELECT count(*) FROM papers_paper").fetchone()[0]
        if stored >= 1000:
            workers = _children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)
    proc.wait()
    assert 1000 <= stored < 8000, "the import finished before it could be killed"
    # Its worker processes leave too, instead of waiting for work forever.
    assert len(workers) >= 2
    gone_by = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    rerun = subprocess.run([*cli, "ingest", "snapshot", str(path)], env=env,
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert "resuming part.jsonl after record" in rerun.stdout
    stats = subprocess.run([*cli, "stats", "--json"], env=env, capture_output=True, text=True,
                           check=True)  # fmt: skip
    assert json.loads(stats.stdout)["papers"] == 8000


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    """Running, not gone and not a zombie waiting for a parent that does not reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_corrupt_gzip_keeps_the_batches_read_before_it(shared_data: Path, tmp_path: Path) -> None:
    whole = gzip.compress((shared_data / HEAD).read_bytes())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])  # a download that stopped two thirds in
    with pytest.raises(CommandError, match="not a readable gzip file"):
        ingest(path, "--batch-size", "20")
    stored = Paper.objects.count()
    assert 0 < stored < 200
    assert stored % 20 != 0  # the last, partial batch before the break was kept too
    assert IngestState.objects.get().value == {"done": stored}


@pytest.mark.parametrize("workers", ["0", "2"])
def test_the_result_is_the_same_with_any_number_of_workers(shared_data: Path, workers: str) -> None:
    out, _ = ingest(shared_data / HEAD, "--workers", workers, "--batch-size", "30")
    assert "read 200 · new 200" in out
    assert Paper.objects.get(arxiv_id="0704.0001").authors[0] == "C. Balázs"


def test_values_the_catalog_cannot_hold_reject_only_their_record(
    shared_data: Path, tmp_path: Path
) -> None:
    good = [json.loads(line) for line in (shared_data / HEAD).read_text().splitlines()[:3]]
    huge_version = {**good[0], "versions": [{"version": "v99999999999999999999", "created": None}]}
    far_future = {**good[1], "versions": [
        {"version": "v1", "created": "Fri, 31 Dec 9999 23:30:00 -0100"},
    ]}  # fmt: skip
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (huge_version, far_future, good[2])) + "\n")
    for workers in ("0", "1"):
        out, err = ingest(path, "--workers", workers)
        assert "rejected line 1:" in err and "rejected line 2:" in err
        assert "rejected 2" in out
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == [good[2]["id"]]
