"""Web benchmark: `paperfeed serve` on loopback over 100,000 papers with votes, driven by wrk.

The collection is bench/search.py's (the 74,728 real papers of the arXiv sample with their real
vectors, plus synthetic papers blended from them, through `paperfeed ingest snapshot` and
`paperfeed index`), built with its own code, plus community signal relative to today: about 50
papers featured a day over the last 60 days, 2,000 users, 60,000 votes (most on featured papers,
a few popular ones drawing many) and 3,000 comments, with the derived counts and trending keys
rebuilt by `featured_refresh_all` (what `paperfeed rebuild_trending` runs).

The server is started as a user would start it (`paperfeed serve`, its default worker count) on
127.0.0.1 at a free port. Each page is measured on its own with wrk (closed loop, a fixed
number of connections, after a warm-up): `/`, `/trending`, paper pages (random ids, half of them
featured papers) and `/search` (400 varied real queries from bench/search.py: title spans,
abstract phrases, common words, whole titles, category/year/author filters; hybrid, as the
search box sends them), and the JSON API: `/api/daily_papers` (Hugging Face's call, the latest
day; `api_daily_deep` asks for rows 400 to 449 of last month's, about 1,500 papers, by each sort
in turn, each URL new to the 5-second cache of anonymous lists, as for a client walking the
pages) and `/api/papers/search` (the same 400 queries; its per-address rate limit is raised for
the run, but every request still counts itself in the database). Any response that is not 2xx
fails the run. The baseline in the same run: a static file (the hashed site.css) through the
same server, WhiteNoise answering before any view, database or template: the ceiling of gunicorn
and WSGI on this machine. The paper and search pages are measured again with one connection per
server process, which shows what a request costs without the wait in the queue. Beside each
figure: where the machine's CPU went (the server, wrk, anything else; a busy neighbour makes the
figures unreliable).

    apt-get install -y wrk   # the load generator (Debian package; a small C program)
    python bench/web.py [--papers 100000] [--duration 20] [--connections 8] [--workdir DIR]
                        [--json] [--pages baseline,api_daily,api_search] [--mixed]
                        [--postgres [URL]]

--mixed measures the site's traffic as a mix instead (35% `/`, 35% `/trending`, 20% paper pages,
10% search), alone and then while `paperfeed worker` harvests, embeds and indexes a day of 2,000
new papers from a saved OAI-PMH response replayed on loopback: see bench/web_mixed.py. Target:
`/` keeps p99 <= 50 ms while the worker indexes. --postgres builds and serves the collection from
PostgreSQL (default URL postgres://paperfeed:paperfeed@127.0.0.1:5432/paperfeed_bench_web, or
BENCH_DATABASE_URL; the role needs CREATEDB) instead of SQLite, in its own workdir.

The collection is built once into the workdir (default var/bench/web-100000; about 4 minutes on
2 cores) and reused; featured days are moved to stay relative to today. The measure phase takes
about three minutes. Targets (2 cores): `/` and `/trending` >= 300 requests/s with p99 <= 50 ms;
paper page p99 <= 50 ms; search page p99 <= 150 ms; `/api/daily_papers` >= 300 requests/s
with p99 <= 50 ms, and p99 <= 50 ms for a deep page of it; `/api/papers/search` p99 <= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote_plus

import search as search_bench  # bench/search.py: its collection and its queries
import web_mixed  # bench/web_mixed.py: the mixed workload, alone and beside the worker

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://paperfeed:paperfeed@127.0.0.1:5432/paperfeed_bench_web"
# (name, what a target asks: minimum requests/s or None, maximum p99 in ms or None)
TARGETS = {
    "baseline": (None, None),
    "daily": (300, 50),
    "trending": (300, 50),
    "paper": (None, 50),
    "search": (None, 150),
    "api_daily": (300, 50),
    "api_daily_deep": (None, 50),
    "api_search": (None, 150),
}
# The pages without a throughput target are measured again with one connection per server
# process: latency without waiting in the queue, i.e. what one request costs.
UNQUEUED = ("paper", "search")
# Counts non-2xx responses itself (wrk's own error count only covers >= 400) and prints one
# JSON line when done.
WRK_SCRIPT = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  math.randomseed(1000 + tid)
  bad = 0
end
function request()
  return wrk.format(nil, paths[math.random(#paths)])
end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "non2xx": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"p50": %.2f, "p90": %.2f, "p99": %.2f, "max": %.2f}\\n',
    summary.requests, summary.duration / 1e6, bad_total, e.connect + e.read + e.write,
    e.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def build(workdir: Path, papers: int, env: dict[str, str]) -> None:
    """bench/search.py's collection, then the community signal (once; later runs move it)."""
    search_bench.build(workdir, papers, env)
    # A cached collection predates later migrations (API tokens, rate counters, ...).
    search_bench.paperfeed(["migrate", "--no-input", "-v", "0"], env)
    marker = workdir / "community.json"
    done = json.loads(marker.read_text()) if marker.exists() else {}
    today = date.today()
    if not done:
        print("community signal …", flush=True)
        started = time.perf_counter()
        child(["--seed-community"], workdir, env)
        done = {"built_on": today.isoformat(), "seconds": time.perf_counter() - started}
    elif (shift := (today - date.fromisoformat(done["built_on"])).days) > 0:
        print(f"community signal built {shift} days ago: moving it to today", flush=True)
        child(["--shift-days", str(shift)], workdir, env)
        done["built_on"] = today.isoformat()
    if "query_model" not in done:
        # The first semantic search exports the query model to ONNX (once, about 30 s): done
        # here, so that no server process spends its first minute on it during the measure.
        search_bench.paperfeed(["search", "--mode", "semantic", "graph neural network"], env)
        done["query_model"] = True
    marker.write_text(json.dumps(done))


def child(args: list[str], workdir: Path, env: dict[str, str]) -> None:
    command = [sys.executable, __file__, *args, "--workdir", str(workdir)]
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def measure(
    workdir: Path,
    env: dict[str, str],
    duration: int,
    connections: int,
    pages: list[str],
    serve_args: list[str] = (),  # type: ignore[assignment]
) -> dict:
    """Serve the collection and drive each page with wrk; return the figures."""
    paths = workdir / "paths"
    paths.mkdir(exist_ok=True)
    queries = search_bench.make_queries(400, seed=3)
    (paths / "search.txt").write_text("".join(f"/search?q={quote_plus(q)}\n" for q in queries))
    (paths / "daily.txt").write_text("/\n")
    (paths / "trending.txt").write_text("/trending\n")
    (paths / "api_daily.txt").write_text("/api/daily_papers\n")
    (paths / "api_daily_deep.txt").write_text(deep_daily_paths(date.today()))
    (paths / "api_search.txt").write_text(
        "".join(f"/api/papers/search?q={quote_plus(q)}\n" for q in queries)
    )
    script = workdir / "bench.lua"
    script.write_text(WRK_SCRIPT)
    port = free_port()
    log = open(workdir / "server.log", "w")  # noqa: SIM115 (open while the server runs)
    server = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--host", "127.0.0.1", "--port", str(port),
         *serve_args],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, workdir / "server.log")
        served = (workdir / "server.log").read_text().splitlines()[0].strip()
        workers = int(served.split(" with ")[1].split()[0])
        print(f"\n{served} (the default: `paperfeed serve` without --workers)")
        manifest = json.loads((workdir / "home" / "static" / "staticfiles.json").read_text())
        (paths / "baseline.txt").write_text(f"/static/{manifest['paths']['web/site.css']}\n")
        print(f"wrk: {connections} connections, 1 thread, {duration} s per page after a "
              f"{max(duration // 4, 3)} s warm-up\n")  # fmt: skip
        print(f"{'page':<14} {'req/s':>8} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} "
              f"{'non-2xx':>8} {'CPU: server':>11} {'wrk':>4} {'other':>5}  target")  # fmt: skip
        plan = [(name, name, connections) for name in TARGETS if name in pages]
        plan += [(f"{name}@{workers}", name, workers) for name in UNQUEUED if name in pages]
        results = {}
        for label, name, conns in plan:
            urls = paths / f"{name}.txt"
            wrk(base, script, urls, max(duration // 4, 3), conns)  # warm-up
            results[label] = figures = wrk(base, script, urls, duration, conns, server.pid)
            figures["connections"] = conns
            print(row(label, name, figures), flush=True)
        print(f"\nname@{workers}: {workers} connections, one per server process (no queueing). "
              "Latency in ms; CPU as a share of the whole machine: the server's processes, "
              "wrk, and anything else running (which makes the figures unreliable).")  # fmt: skip
        busy = [label for label, f in results.items() if f["cpu"]["other"] > 0.1]
        if busy:
            print(f"WARNING: other processes used over 10% of the machine during "
                  f"{', '.join(busy)}: rerun on a quiet machine.")  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return results


def deep_daily_paths(today: date, count: int = 10_000) -> str:
    """Page 8 of 50 (rows 400 to 449) of last month's daily papers, by each sort in turn. The
    `_` parameter, which the API ignores, makes each URL new to the cache of anonymous lists."""
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    sorts = ("publishedAt", "votes", "trending")
    return "".join(
        f"/api/daily_papers?month={month}&limit=50&p=8&sort={sorts[n % 3]}&_={n}\n"
        for n in range(count)
    )


def wrk(
    base: str, script: Path, paths: Path, seconds: int, connections: int, server: int = 0
) -> dict:
    """One wrk run; with `server` (its process group), also where the machine's CPU went."""
    before = cpu_snapshot(server)
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(script), base, "--", str(paths)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    if server:
        used = [b - a for a, b in zip(before, cpu_snapshot(server), strict=True)]
        machine = used[0] * (os.cpu_count() or 1)  # CPU seconds the machine had
        figures["cpu"] = {
            "server": used[2] / machine, "wrk": used[3] / machine,
            "other": max(used[1] - used[2] - used[3], 0) / machine,
        }  # fmt: skip
    return figures


def cpu_snapshot(pgid: int) -> tuple[float, float, float, float]:
    """(wall time, CPU busy on the machine, CPU of the server's processes, CPU of finished
    children: wrk), in seconds, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    jiffies = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    busy = (sum(jiffies) - jiffies[3] - jiffies[4]) / tick  # all but idle and iowait
    server = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if pgid and int(fields[2]) == pgid:  # process group; then utime, stime
            server += int(fields[11]) + int(fields[12])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.monotonic(), busy, server / tick, children.ru_utime + children.ru_stime


def row(label: str, name: str, f: dict) -> str:
    rps_min, p99_max = TARGETS[name]
    wanted, met = [], True
    if rps_min is not None:
        wanted.append(f">= {rps_min} req/s")
        met &= f["rps"] >= rps_min
    if p99_max is not None:
        wanted.append(f"p99 <= {p99_max} ms")
        met &= f["p99"] <= p99_max
    f["target_met"] = met if wanted else None
    verdict = (", ".join(wanted) + (": met" if met else ": MISSED")) if wanted else "(ceiling)"
    bad = f["non2xx"] + f["socket_errors"] + f["timeouts"]
    cpu = f["cpu"]
    return (f"{label:<14} {f['rps']:8.0f} {f['p50']:7.1f} {f['p90']:7.1f} {f['p99']:7.1f} "
            f"{f['max']:7.1f} {bad:8d} {cpu['server']:11.0%} {cpu['wrk']:4.0%} "
            f"{cpu['other']:5.0%}  {verdict}")  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"paperfeed serve exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"paperfeed serve did not answer within 2 minutes:\n{log.read_text()[-3000:]}")


def postgres_prepare(url: str, *, fresh: bool) -> None:
    """Create the benchmark database (dropped first when the collection is to be built anew)."""
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}_run"')
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        sys.exit(f"PostgreSQL at {base} cannot be used for the benchmark: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--pages", default=",".join(TARGETS), help=f"comma-separated, of {', '.join(TARGETS)}"
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="the mixed workload, alone and while the worker indexes a new day",
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG),
        default=None,
        metavar="URL",
        help="build and serve the collection from PostgreSQL",
    )
    parser.add_argument(
        "--serve-args", default="",
        help="more arguments for `paperfeed serve`, e.g. \"--threads 4\" (gthread workers)",
    )  # fmt: skip
    parser.add_argument("--seed-community", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--shift-days", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    suffix = "-postgres" if args.postgres else ""
    workdir = (args.workdir or ROOT / "var" / "bench" / f"web-{args.papers}{suffix}").resolve()
    env = {**os.environ, "PAPERFEED_HOME": str(workdir / "home"), "HF_HUB_OFFLINE": "1",
           "DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PYTHONPATH": str(ROOT),
           # wrk asks from one address far faster than a person: lift the API's search limit
           # (the counting itself still happens, and is measured).
           "PAPERFEED_API_SEARCH_RATE": "1000000000"}  # fmt: skip
    for name in ("DATABASE_URL", "PAPERFEED_WORKERS", "PAPERFEED_DEBUG"):
        env.pop(name, None)  # SQLite under the workdir, and the server's defaults
    if args.postgres:
        env["DATABASE_URL"] = args.postgres
        if not (args.seed_community or args.shift_days):
            postgres_prepare(args.postgres, fresh=not (workdir / "built.json").exists())
    if args.seed_community or args.shift_days:
        os.environ.update(env)
        import django

        django.setup()
        import community_seed

        if args.seed_community:
            community_seed.seed(workdir, seed=4)
        else:
            community_seed.shift(days=args.shift_days)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    build(workdir, args.papers, env)
    pages = [name.strip() for name in args.pages.split(",") if name.strip()]
    if unknown := sorted(set(pages) - set(TARGETS)):
        sys.exit(f"unknown page(s): {', '.join(unknown)}; use {', '.join(TARGETS)}")
    if args.mixed:
        results = web_mixed.run(workdir, env, args.duration, args.connections)
        if args.json:
            print(json.dumps(results))
        bad = [phase for phase in ("alone", "worker") if results[phase]["kinds"]["all"]["non2xx"]]
        if bad or not results["served"]:
            logs = f"{workdir / 'server.log'}, {workdir / 'worker.log'}"
            sys.exit(f"FAILED: non-2xx responses ({', '.join(bad) or 'none'}) or the new day "
                     f"not served (see {logs})")  # fmt: skip
        return
    results = measure(workdir, env, args.duration, args.connections, pages, args.serve_args.split())
    failed = [
        name for name, f in results.items()
        if f["non2xx"] or f["socket_errors"] or f["timeouts"] or not f["requests"]
    ]  # fmt: skip
    if args.json:
        print(json.dumps(results))
    if failed:
        sys.exit(f"FAILED: non-2xx responses, socket errors or no answer on {', '.join(failed)} "
                 f"(see {workdir / 'server.log'})")  # fmt: skip


if __name__ == "__main__":
    main()
