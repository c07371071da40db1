"""`paperfeed serve` runs the production server: real gunicorn on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HEAD = "arxiv/kaggle-snapshot-head-200.jsonl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_pages_and_compressed_static_files(shared_data: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PAPERFEED_HOME"] = str(tmp_path)
    cli = [sys.executable, "-m", "paperfeed"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*cli, "ingest", "snapshot", str(shared_data / HEAD)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                home = httpx.get(f"{base}/", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                server_wait(server)
        assert home.status_code == 200
        assert "Daily Papers" in home.text  # nothing featured in a bare snapshot: an empty day
        css = home.text.split('rel="stylesheet" href="')[1].split('"')[0]
        assert css.startswith("/static/web/site.") and css.count(".") == 2  # hashed name
        static = httpx.get(f"{base}{css}", headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200
        assert static.headers["Content-Encoding"] == "gzip"
        assert "immutable" in static.headers["Cache-Control"]
        paper = httpx.get(f"{base}/papers/0704.0001")
        assert paper.status_code == 200 and "C. Balázs" in paper.text
        assert "Calculation of prompt diphoton production" in paper.text
        htmx = home.text.split('<script src="')[1].split('"')[0]
        assert htmx.startswith("/static/web/htmx.min.") and htmx.count(".") == 3
        assert httpx.get(f"{base}{htmx}").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def server_wait(server: subprocess.Popen[bytes]) -> None:
    """Give the server a moment to bind (waits on the process, so it returns early if it dies)."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=0.2)
