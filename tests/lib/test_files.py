from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from paperfeed.lib.files import write_json_atomic


def test_it_writes_the_data_as_json(tmp_path: Path) -> None:
    path = tmp_path / "current.json"
    write_json_atomic(path, {"version": 3, "model": "all-MiniLM-L6-v2", "state": {}})
    assert json.loads(path.read_text()) == {"version": 3, "model": "all-MiniLM-L6-v2", "state": {}}
    write_json_atomic(path, {"dim": 384}, indent=2)
    assert path.read_text() == '{\n  "dim": 384\n}'


def test_it_replaces_the_file_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"old": true}')
    write_json_atomic(path, {"new": True})
    assert json.loads(path.read_text()) == {"new": True}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"old": true}')
    with pytest.raises(TypeError):
        write_json_atomic(path, {"when": object()})  # not JSON: fails halfway through
    assert path.read_text() == '{"old": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_the_file_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    # Servers (maybe another user) read what the indexer writes: not a private 0600 file.
    plain = tmp_path / "plain.json"
    plain.write_text("{}")
    written = tmp_path / "written.json"
    write_json_atomic(written, {})
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
