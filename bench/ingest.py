"""Ingest benchmark: import the 74,728-paper arXiv sample (Kaggle format) into a fresh database.

Prints records/s and peak memory (writer + worker processes) for SQLite and, when a
PostgreSQL server is reachable, for PostgreSQL; beside them, in the same run, the baselines:
the reader alone (the ceiling) and the naive path (one `paper_upsert` per record, one
transaction each) on the first records, plus a re-run of the full import (everything unchanged).

    python bench/ingest.py [--file PATH] [--naive N] [--postgres URL | --no-postgres]

Target on a 2-core machine: >= 5,000 records/s with peak memory < 500 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "data" / "arxiv" / "arxiv-sample-75k.jsonl.gz"
DEFAULT_PG = "postgres://paperfeed:paperfeed@127.0.0.1:5432/paperfeed_bench"


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child process; return (seconds, peak memory in MB, stdout). The peak is the
    largest sum of the resident memory of the process and its worker processes at one moment,
    sampled every 20 ms from /proc (where there is one; else what the child reports)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)  # fmt: skip
    sampler = TreeSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{out}\n{err}")
    peak = sampler.peak_mb or _peak_mb(out)
    return seconds, peak, out


class TreeSampler(threading.Thread):
    """The peak of the summed RSS of a process and its descendants. getrusage cannot give it:
    a child's ru_maxrss counts, from the fork before its exec, the parent's memory as its own."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.stop = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        if not Path(f"/proc/{self.pid}").exists():
            return
        while not self.stop.wait(0.02):
            total = sum(self._rss(pid) for pid in self._tree(self.pid))
            self.peak_mb = max(self.peak_mb, total / 2**20)

    def _tree(self, pid: int) -> list[int]:
        found = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                for child in children:
                    found += self._tree(int(child))
        except OSError:
            pass
        return found

    def _rss(self, pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.page
        except (OSError, IndexError, ValueError):
            return 0


def _peak_mb(out: str) -> float:
    for line in out.splitlines():
        if line.startswith("PEAK_RSS_MB="):
            return float(line.split("=", 1)[1])
    return float("nan")


# Where /proc cannot be read: the largest RSS of the writing process plus, for each worker
# process, the largest RSS of any child (an upper bound, and a loose one: see TreeSampler).
CHILD = """
import resource, sys, os
from paperfeed.cli import main
from paperfeed.papers.parallel import default_workers
try:
    main(sys.argv[1:])
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"PEAK_RSS_MB={(own + default_workers() * worker) / 1024:.0f}")
"""

NAIVE = """
import itertools, resource, sys, time, django
django.setup()
from paperfeed.lib.snapshot import read_snapshot
from paperfeed.lib.records import PaperRecord
from paperfeed.papers.ingest import paper_upsert
records = [r for r in itertools.islice(read_snapshot(sys.argv[1]), int(sys.argv[2]))
           if isinstance(r, PaperRecord)]
started = time.perf_counter()
for record in records:
    paper_upsert(record=record)
print(f"RATE={len(records) / (time.perf_counter() - started):.0f}")
print(f"PEAK_RSS_MB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
"""

PARSE = """
import resource, sys, time
from paperfeed.lib.snapshot import read_snapshot
from paperfeed.lib.text import clean_name, clean_text
started = time.perf_counter(); n = 0
for r in read_snapshot(sys.argv[1]):
    n += 1
    if hasattr(r, "title"):
        clean_text(r.title); clean_text(r.abstract); [clean_name(a) for a in r.authors]
print(f"RATE={n / (time.perf_counter() - started):.0f}")
print(f"PEAK_RSS_MB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
"""


def rate_of(out: str) -> float:
    return float(next(line for line in out.splitlines() if line.startswith("RATE=")).split("=")[1])


def bench_database(
    label: str, env: dict[str, str], file: Path, records: int, naive: int, ceiling: float
) -> None:
    py = sys.executable
    run([py, "-c", CHILD, "migrate", "--no-input", "-v", "0"], env)
    seconds, peak, out = run([py, "-c", CHILD, "ingest", "snapshot", str(file)], env)
    summary = next((ln for ln in out.splitlines() if ln.startswith("read ")), out)
    rate = records / seconds
    print(f"  {label:<10} import      {rate:>8,.0f} records/s  {seconds:6.1f} s  "
          f"peak {peak:4.0f} MB   {rate / ceiling:4.0%} of the reader's rate   "
          f"[{summary}]")  # fmt: skip
    seconds, peak, out = run([py, "-c", CHILD, "ingest", "snapshot", str(file)], env)
    print(f"  {label:<10} re-run      {records / seconds:>8,.0f} records/s  {seconds:6.1f} s  "
          f"peak {peak:4.0f} MB   (nothing changes)")  # fmt: skip
    fresh = dict(env, PAPERFEED_HOME=tempfile.mkdtemp(prefix="pf-bench-naive-"))
    if "DATABASE_URL" in env:
        fresh["DATABASE_URL"] = _reset_pg(env["DATABASE_URL"], suffix="_naive")
    run([py, "-c", CHILD, "migrate", "--no-input", "-v", "0"], fresh)
    _, peak, out = run([py, "-c", NAIVE, str(file), str(naive)], fresh)
    print(f"  {label:<10} baseline: one paper_upsert per record, first {naive:,}: "
          f"{rate_of(out):,.0f} records/s")  # fmt: skip


def bench_scale(env: dict[str, str], file: Path, copies: int) -> None:
    """Import `copies` x the sample into SQLite: new-style ids shifted by 33,000 per copy (the
    sample's sequence numbers stay under 33,000), so every copy is new papers."""
    import gzip
    import re

    big = Path(tempfile.mkdtemp(prefix="pf-bench-scale-")) / f"sample-x{copies}.jsonl.gz"
    pattern = re.compile(rb'^\{"id": "(\d{4})\.(\d{5})"')
    with gzip.open(big, "wb", compresslevel=1) as out:
        for copy in range(copies):

            def shift(match: re.Match[bytes], offset: int = 33_000 * copy) -> bytes:
                return b'{"id": "%s.%05d"' % (match[1], int(match[2]) + offset)

            with gzip.open(file, "rb") as lines:
                for line in lines:
                    out.write(pattern.sub(shift, line, count=1))
    home = dict(env, PAPERFEED_HOME=tempfile.mkdtemp(prefix="pf-bench-scale-db-"))
    run([sys.executable, "-c", CHILD, "migrate", "--no-input", "-v", "0"], home)
    seconds, peak, out = run([sys.executable, "-c", CHILD, "ingest", "snapshot", str(big)], home)
    summary = next((ln for ln in out.splitlines() if ln.startswith("read ")), out)
    print(f"  SQLite x{copies}   import   peak {peak:4.0f} MB   [{summary}]")


def _reset_pg(url: str, suffix: str = "") -> str:
    """Drop and create the benchmark database; return its URL."""
    import psycopg

    base, _, name = url.rpartition("/")
    name += suffix
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=SAMPLE)
    parser.add_argument("--naive", type=int, default=3000, help="records for the naive baseline")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also import the sample repeated N times (1-3, ids remapped) to show memory flat",
    )
    args = parser.parse_args()
    if not args.file.is_file():
        sys.exit(f"{args.file}: not found (the 75k sample lives in ../shared/data/arxiv/)")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    env["PYTHONPATH"] = str(ROOT)

    _, _, out = run([sys.executable, "-c", PARSE, str(args.file)], env)
    records = int(subprocess.run(  # count records once, for the rates below
        [sys.executable, "-c", "import gzip,sys; print(sum(1 for l in gzip.open(sys.argv[1]) "
         "if l.strip()))", str(args.file)], capture_output=True, text=True, check=True
    ).stdout)  # fmt: skip
    print(f"ingest benchmark: {records:,} records from {args.file.name}")
    ceiling = rate_of(out)
    print(f"  reader alone (parse + clean, the ceiling): {ceiling:,.0f} records/s  "
          f"peak {_peak_mb(out):.0f} MB")  # fmt: skip

    sqlite_env = dict(env, PAPERFEED_HOME=tempfile.mkdtemp(prefix="pf-bench-sqlite-"))
    bench_database("SQLite", sqlite_env, args.file, records, args.naive, ceiling)
    if args.scale > 1:
        bench_scale(env, args.file, min(args.scale, 3))
    if args.no_postgres:
        return
    try:
        pg_url = _reset_pg(args.postgres)
    except Exception as exc:  # no server: say so, SQLite figures still stand
        print(f"  PostgreSQL skipped: {args.postgres} not reachable ({exc.__class__.__name__})")
        return
    pg_env = dict(env, PAPERFEED_HOME=tempfile.mkdtemp(prefix="pf-bench-pg-"), DATABASE_URL=pg_url)
    bench_database("PostgreSQL", pg_env, args.file, records, args.naive, ceiling)
    print("target: >= 5,000 records/s (>= 60% of the reader's rate), peak < 500 MB")


if __name__ == "__main__":
    main()
