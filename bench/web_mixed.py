"""bench/web.py --mixed: the site's traffic as a mix, alone and while the worker takes in a new day.

The mix: 35% `/`, 35% `/trending`, 20% paper pages, 10% hybrid searches (the paths of
bench/web.py's per-page runs). wrk drives it with one connection per wrk thread, so that each
request's latency can be timed and kept by kind in the Lua script (wrk's own histogram mixes the
kinds). Both phases serve a fresh copy of the collection (its home directory and, on PostgreSQL,
a database made from it as a template), so every run starts from the same 100,000 papers:

1. alone: the mix for --duration seconds, after a warm-up;
2. with the worker: the same mix, from before `paperfeed worker --once --job harvest --job embed
   --job index` starts until it exits. The worker harvests a day of 2,000 new cs papers from a
   saved OAI-PMH response (bench/oai_day.py) replayed on loopback, embeds them with the real model
   and brings this host's keyword and vector indexes up to date, at its own priority
   (PAPERFEED_WORKER_NICE, 10 by default). The run then checks that the site serves the new
   papers: the page of one, and a search for its exact title.

Target (2 cores): `/` keeps p99 <= 50 ms while the worker indexes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, quote_plus

import oai_day
import search as search_bench

ROOT = Path(__file__).resolve().parents[1]
MIX = (("/", 35), ("/trending", 35), ("paper", 20), ("search", 10))
TARGET_P99_MS = 50  # `/` while the worker indexes
DAY = 2000  # papers in the harvested day
# One connection per thread: request() and response() alternate, so a request is timed from the
# moment wrk asks for it to its whole response (what wrk's own latency measures), with the
# monotonic clock through LuaJIT's FFI. Each thread writes "kind status microseconds" lines to
# its own file; the Python side reads them once wrk has stopped (it stops on SIGINT too).
MIXED_SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } pf_timespec;
int clock_gettime(int clk_id, pf_timespec *tp);
]]
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  kinds, paths = {}, {}
  for line in io.lines(args[1]) do
    local kind, path = line:match("^(%S+)\\t(.+)$")
    if kind then kinds[#kinds + 1] = kind; paths[#paths + 1] = path end
  end
  math.randomseed(2000 + tid)
  clock = ffi.new("pf_timespec")
  out = io.open(args[2] .. "." .. tid, "w")
  out:setvbuf("line")
end
local function now_us()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end
function request()
  local i = math.random(#paths)
  current, started = kinds[i], now_us()
  return wrk.format(nil, paths[i])
end
function response(status, headers, body)
  out:write(string.format("%s %d %.0f\\n", current, status, now_us() - started))
end
"""


def mix_paths(workdir: Path) -> Path:
    """1,000 lines "kind<TAB>path" in the mix's shares; wrk picks one at random per request."""
    rng = random.Random(5)
    paths = workdir / "paths"
    queries = search_bench.make_queries(400, seed=3)  # bench/web.py's search page's
    pools = {
        "paper": (paths / "paper.txt").read_text().split(),
        "search": [f"/search?q={quote_plus(q)}" for q in queries],
    }
    lines = []
    for kind, share in MIX:
        for _ in range(share * 10):
            lines.append(f"{kind}\t{rng.choice(pools[kind]) if kind in pools else kind}")
    rng.shuffle(lines)
    out = paths / "mixed.txt"
    out.write_text("\n".join(lines) + "\n")
    return out


def fresh_copy(workdir: Path, env: dict[str, str]) -> dict[str, str]:
    """A copy of the built collection to serve and change; returns its environment."""
    home = workdir / "run-home"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(workdir / "home", home, symlinks=True,
                    ignore=shutil.ignore_patterns("metrics", "*.log"))  # fmt: skip
    run_env = dict(env, PAPERFEED_HOME=str(home))
    if url := env.get("DATABASE_URL"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}_run"')
            conn.execute(f'CREATE DATABASE "{name}_run" TEMPLATE "{name}"')
        run_env["DATABASE_URL"] = f"{base}/{name}_run"
    return run_env


def run(workdir: Path, env: dict[str, str], duration: int, connections: int) -> dict:
    """Both phases on one server; returns their figures."""
    import web  # bench/web.py: the server, wrk's CPU accounting, the port

    run_env = fresh_copy(workdir, env)
    mixed = mix_paths(workdir)
    script = workdir / "mixed.lua"
    script.write_text(MIXED_SCRIPT)
    pages = oai_day.write_day(workdir / "oai-day", DAY, datetime.now(UTC))
    new_ids = [oai_day.day_id(n, datetime.now(UTC)) for n in (0, DAY - 1)]
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    port = web.free_port()
    log = open(workdir / "server.log", "w")  # noqa: SIM115 (open while the server runs)
    server = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=run_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        web.wait_until_up(base, server, workdir / "server.log")
        served = (workdir / "server.log").read_text().splitlines()[0].strip()
        print(f"\nmixed workload on {database}: {served}; wrk: {connections} connections, "
              f"one per thread; shares: " + ", ".join(f"{k} {s}%" for k, s in MIX))  # fmt: skip
        drive(
            base,
            script,
            mixed,
            workdir / "lat-warmup",
            server.pid,
            connections,
            seconds=max(duration // 4, 5),
        )
        results["alone"] = drive(base, script, mixed, workdir / "lat-alone", server.pid,
                                 connections, seconds=duration)  # fmt: skip
        report("alone", results["alone"])
        with oai_day.OaiReplay(pages) as oai:
            worker_env = dict(run_env, PAPERFEED_ARXIV_OAI_URL=oai.url, PAPERFEED_ARXIV_SETS="cs",
                              PAPERFEED_HARVEST_FORMAT="arXivRaw")  # fmt: skip
            results["worker"] = drive(
                base, script, mixed, workdir / "lat-worker", server.pid, connections,
                worker_env=worker_env, log=workdir / "worker.log",
            )  # fmt: skip
        report("while the worker ingests and indexes", results["worker"])
        results["served"] = check_served(base, run_env, new_ids)
        results["database"] = database
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return results


def drive(
    base: str, script: Path, mixed: Path, out: Path, server: int, connections: int, *,
    seconds: int = 0, worker_env: dict[str, str] | None = None, log: Path | None = None,
) -> dict:  # fmt: skip
    """wrk for `seconds`, or from just before the worker starts until it exits."""
    import web

    for old in out.parent.glob(out.name + ".*"):
        old.unlink()
    before = web.cpu_snapshot(server)
    database_before = postgres_cpu()
    limit = seconds or 1800
    wrk = subprocess.Popen(
        ["wrk", "-t", str(connections), "-c", str(connections), "-d",
         f"{limit}s", "--timeout", "10s", "-s", str(script), base, "--", str(mixed), str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    figures: dict = {}
    if worker_env is not None:
        assert log is not None
        time.sleep(2)  # the load is on before the worker starts
        figures["worker"] = run_worker(worker_env, log)
        wrk.send_signal(signal.SIGINT)
    wrk.communicate(timeout=limit + 60)
    used = [b - a for a, b in zip(before, web.cpu_snapshot(server), strict=True)]
    database = postgres_cpu() - database_before
    machine = used[0] * (os.cpu_count() or 1)
    worker_cpu = figures.get("worker", {}).get("cpu_s", 0.0)
    figures["seconds"] = used[0]
    figures["cpu"] = {
        "server": used[2] / machine, "worker": worker_cpu / machine,
        "PostgreSQL": database / machine, "wrk": max(used[3] - worker_cpu, 0) / machine,
        "other": max(used[1] - used[2] - used[3] - database, 0) / machine,
    }  # fmt: skip
    figures["kinds"] = latencies(out, used[0])
    return figures


def postgres_cpu() -> float:
    """CPU seconds of the PostgreSQL server's processes so far (0 without one), from /proc:
    the site's database work, not a neighbour's."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name, fields = text.split("(", 1)[1].rsplit(")", 1)
        if name == "postgres":
            values = fields.split()
            total += sum(int(v) for v in values[11:15])  # its own and its ended backends'
    return total / tick


def run_worker(env: dict[str, str], log: Path) -> dict:
    """`paperfeed worker --once` for harvest, embed and index; its time, CPU and peak memory."""
    started = time.monotonic()
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "paperfeed", "worker", "--once",
             "--job", "harvest", "--job", "embed", "--job", "index"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = started + 1500
        while True:
            pid, status, usage = os.wait4(worker.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(worker.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(worker.pid, 0)
                break
            time.sleep(0.2)
        worker.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text()
    if worker.returncode:
        sys.exit(f"paperfeed worker failed ({worker.returncode}):\n{text[-3000:]}")
    return {
        "seconds": time.monotonic() - started, "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "jobs": [line for line in text.splitlines() if ": ok: " in line],
    }  # fmt: skip


def latencies(out: Path, seconds: float) -> dict:
    """Per kind and for all: requests, share, requests/s, p50/p90/p99/max in ms, non-2xx."""
    rows: dict[str, list[float]] = {}
    bad: dict[str, int] = {}
    for part in sorted(out.parent.glob(out.name + ".*")):
        for line in part.read_text().splitlines():
            kind, status, micros = line.split()
            rows.setdefault(kind, []).append(int(micros) / 1000)
            bad[kind] = bad.get(kind, 0) + (not 200 <= int(status) < 300)
    rows["all"] = [v for values in rows.values() for v in values]
    bad["all"] = sum(bad.values())
    total = len(rows["all"]) or 1
    kinds = {}
    for kind, values in rows.items():
        values.sort()

        def pct(p: float, values: list[float] = values) -> float:
            return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else 0.0

        kinds[kind] = {
            "requests": len(values), "share": len(values) / total, "rps": len(values) / seconds,
            "p50": pct(50), "p90": pct(90), "p99": pct(99), "max": values[-1] if values else 0.0,
            "non2xx": bad[kind],
        }  # fmt: skip
    return kinds


def report(phase: str, figures: dict) -> None:
    cpu = figures["cpu"]
    shares = ", ".join(f"{name} {share:.0%}" for name, share in cpu.items())
    print(f"\n{phase}: {figures['seconds']:.0f} s; CPU of the machine: {shares}")
    if worker := figures.get("worker"):
        print(f"  worker: {worker['seconds']:.0f} s, {worker['cpu_s']:.0f} CPU s, peak "
              f"{worker['peak_mb']:.0f} MB")  # fmt: skip
        for line in worker["jobs"]:
            print(f"    {line}")
    print(f"  {'page':<10} {'share':>6} {'req/s':>7} {'p50':>7} {'p90':>7} {'p99':>7} "
          f"{'max':>7} {'non-2xx':>8}  target")  # fmt: skip
    for kind, f in figures["kinds"].items():
        verdict = ""
        if kind == "/":
            f["target_met"] = f["p99"] <= TARGET_P99_MS
            verdict = f"p99 <= {TARGET_P99_MS} ms: " + ("met" if f["target_met"] else "MISSED")
        print(f"  {kind:<10} {f['share']:6.0%} {f['rps']:7.0f} {f['p50']:7.1f} {f['p90']:7.1f} "
              f"{f['p99']:7.1f} {f['max']:7.1f} {f['non2xx']:8d}  {verdict}")  # fmt: skip
    if cpu["other"] > 0.1:
        print("  WARNING: other processes used over 10% of the machine: rerun on a quiet machine.")


def check_served(base: str, env: dict[str, str], new_ids: list[str]) -> bool:
    """The new day is on the site: a new paper's page, and a search for its exact title."""
    with urllib.request.urlopen(f"{base}/api/papers/{new_ids[-1]}", timeout=10) as response:
        title = json.load(response)["title"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        url = f"{base}/api/papers/search?q={quote_plus(title)}&mode=keyword"
        with urllib.request.urlopen(url, timeout=10) as response:
            found = [hit["paper"]["id"] for hit in json.load(response)]
        if new_ids[-1] in found:
            with urllib.request.urlopen(f"{base}/papers/{quote(new_ids[0])}", timeout=10) as page:
                ok = page.status == 200
            print(f"\nthe new day is served: /papers/{new_ids[0]} answers {page.status}; a search "
                  f"for the title of {new_ids[-1]} finds it")  # fmt: skip
            return ok
        time.sleep(1)
    print(f"\nWARNING: a search for the exact title of {new_ids[-1]} does not find it")
    return False
