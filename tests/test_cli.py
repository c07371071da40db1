from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperfeed.cli import translate

HEAD = "arxiv/kaggle-snapshot-head-200.jsonl"


def test_two_word_verbs_map_onto_management_commands() -> None:
    assert translate(["ingest", "snapshot", "f.gz"]) == ["ingest_snapshot", "f.gz"]
    assert translate(["ingest", "hf-daily", "--date", "2024-10-25"]) == [
        "ingest_hf_daily", "--date", "2024-10-25",
    ]  # fmt: skip
    assert translate(["papers", "show", "0704.0001"]) == ["papers_show", "0704.0001"]
    assert translate(["migrate", "--no-input"]) == ["migrate", "--no-input"]
    assert translate(["help", "ingest", "snapshot"]) == ["help", "ingest_snapshot"]
    assert translate(["ingest", "nonsense"]) is None
    assert translate([]) is None


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(PAPERFEED_HOME=str(home), **env)
    return subprocess.run([sys.executable, "-m", "paperfeed", *args], env=environ,
                          capture_output=True, text=True)  # fmt: skip


@pytest.mark.slow
def test_the_command_imports_shows_and_counts(shared_data: Path, tmp_path: Path) -> None:
    assert run(["migrate", "-v", "0"], tmp_path).returncode == 0
    imported = run(["ingest", "snapshot", str(shared_data / HEAD)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "new 200" in imported.stdout
    stats = run(["stats", "--json"], tmp_path)
    assert json.loads(stats.stdout)["papers"] == 200
    shown = run(["papers", "show", "arXiv:0704.0001v2"], tmp_path)
    assert "Calculation of prompt diphoton production" in shown.stdout
    assert "C. Balázs" in shown.stdout
    missing = run(["papers", "show", "2401.99999"], tmp_path)
    assert missing.returncode == 1
    assert "not in the catalog" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_bad_input_gets_a_message_and_an_exit_code_not_a_traceback(tmp_path: Path) -> None:
    bad_id = run(["papers", "show", "not-an-id"], tmp_path)
    assert bad_id.returncode == 1
    assert "'not-an-id' is not an arXiv id" in bad_id.stderr
    assert "Traceback" not in bad_id.stderr
    bad_setting = run(["stats"], tmp_path, PAPERFEED_DEBUG="maybe")
    assert bad_setting.returncode == 2
    assert "PAPERFEED_DEBUG='maybe' is not a boolean" in bad_setting.stderr
    unmigrated = run(["stats"], tmp_path / "new-home")
    assert unmigrated.returncode == 1
    assert "needs `paperfeed migrate` first" in unmigrated.stderr
    assert "Traceback" not in unmigrated.stderr
    zero = run(["ingest", "snapshot", "x.jsonl", "--batch-size", "0"], tmp_path)
    assert zero.returncode == 2 and "0 must be at least 1" in zero.stderr
    usage = run(["ingest", "nonsense"], tmp_path)
    assert usage.returncode == 2
    assert "ingest snapshot FILE" in usage.stdout
