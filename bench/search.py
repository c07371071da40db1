"""Search benchmark at scale: a 1,000,000-paper collection, ≥ 500 queries in each mode, warm.

The collection: the 74,728 real papers of the arXiv sample with the model's real vectors, plus
synthetic papers made from them. Each synthetic paper blends a real paper with another of the same
primary category: its title mixes words of both, its abstract interleaves their sentences, its
authors come from both, and its vector is the same blend of their real vectors plus noise (cosine
to its base paper ≈ 0.9), so the vectors cluster like real ones instead of filling space at random.
Papers go in through `paperfeed ingest snapshot` and `paperfeed index`'s own steps.

The queries are drawn from the real papers: spans of titles, phrases of abstracts, very common
words ("learning model"), whole titles, and queries with category, year and author filters. Each
mode is timed through `papers_search` (what the web page and API call: ranking, filters and
loading the 20 papers shown). The baseline in the same run is exact brute-force vector search.

    python bench/search.py [--papers 1000000] [--queries 600] [--workdir DIR] [--day] [--json]

The collection is built once into the workdir and reused; building it prints each step's time and
the peak memory of `paperfeed index` (a full build from stored vectors). The measurement also
prints the first answer of a freshly started process, a sweep of the vector search's effort, and
with --day a day's 2,000 new papers: the incremental `paperfeed index`, timed, while searches go on
(their latency while the servers switch to the new version).
Targets (2 cores, up to 2.7M papers): keyword p50 ≤ 10 ms, p99 ≤ 50 ms; semantic p50 ≤ 20 ms;
hybrid p50 ≤ 30 ms, p99 ≤ 100 ms; ANN recall@10 ≥ 0.95; search-process memory ≤ 2.5 GB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "arxiv"
SAMPLE = DATA / "arxiv-sample-75k.jsonl.gz"
VECTORS = DATA / "arxiv-sample-75k.minilm-l6-v2.f16.npy"
IDS = DATA / "arxiv-sample-75k.ids.txt"
SENTENCE = re.compile(r"(?<=[.!?])\s+")
COMMON = ["learning model", "neural network", "large language models", "deep learning method",
          "model data", "training performance", "image generation", "reinforcement learning agent",
          "graph neural network", "transformer attention"]  # fmt: skip


def paperfeed(args: list[str], env: dict[str, str], nice: int = 0) -> dict[str, float]:
    """Run a paperfeed command; print and return its time and peak memory (MB): the largest
    resident memory at one moment, anonymous and file-backed (sampled every 20 ms from /proc)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "paperfeed", *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL,
                            preexec_fn=(lambda: os.nice(nice)) if nice else None)  # fmt: skip
    peak = {"rss": 0.0, "anon": 0.0, "file": 0.0}
    while proc.poll() is None:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            break
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        kb = {k: float(fields.get(k, "0 kB").split()[0]) / 1024 for k in ("RssAnon", "RssFile")}
        peak["anon"] = max(peak["anon"], kb["RssAnon"])
        peak["file"] = max(peak["file"], kb["RssFile"])
        peak["rss"] = max(peak["rss"], kb["RssAnon"] + kb["RssFile"])
        time.sleep(0.02)
    if proc.wait() != 0:
        sys.exit(f"paperfeed {' '.join(args)} failed")
    seconds = time.perf_counter() - started
    print(f"  paperfeed {' '.join(a if len(a) < 40 else Path(a).name for a in args)}: "
          f"{seconds:,.1f} s · peak resident {peak['rss']:,.0f} MB "
          f"(anonymous {peak['anon']:,.0f}, file-backed {peak['file']:,.0f})",
          flush=True)  # fmt: skip
    return {"seconds": seconds, **peak}


def real_papers() -> list[dict]:
    with gzip.open(SAMPLE, "rt") as handle:
        return [json.loads(line) for line in handle]


def synthetic_id(n: int) -> str:
    # New-style ids in months the real sample does not use (2015-01 … 2024-12).
    month = 1501 + (n // 99_999) // 12 * 100 + (n // 99_999) % 12
    return f"{month:04d}.{n % 99_999 + 1:05d}"


def generate(workdir: Path, count: int, seed: int, first: int = 0, name: str = "synthetic") -> None:
    """Write `count` synthetic papers (Kaggle JSON lines), numbered from `first`, and their
    vectors: <name>.jsonl and <name>.f16.npy."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    papers = real_papers()
    real_vectors = np.load(VECTORS).astype(np.float32)
    by_category: dict[str, list[int]] = {}
    for i, paper in enumerate(papers):
        by_category.setdefault(paper["categories"].split()[0], []).append(i)
    vectors = np.empty((count, real_vectors.shape[1]), dtype=np.float16)
    with open(workdir / f"{name}.jsonl", "w") as out:
        for i in range(count):
            n = first + i
            base_i = n % len(papers)
            base = papers[base_i]
            peers = by_category[base["categories"].split()[0]]
            other_i = peers[rng.randrange(len(peers))]
            other = papers[other_i]
            out.write(json.dumps(_blend(rng, synthetic_id(n), base, other)) + "\n")
            v = 0.8 * real_vectors[base_i] + 0.2 * real_vectors[other_i]
            v += nrng.normal(0, 0.012, v.shape).astype(np.float32)
            vectors[i] = v / np.linalg.norm(v)
    np.save(workdir / f"{name}.f16.npy", vectors)


def _blend(rng: random.Random, arxiv_id: str, base: dict, other: dict) -> dict:
    title_a, title_b = base["title"].split(), other["title"].split()
    title = [w if rng.random() > 0.3 or not title_b else rng.choice(title_b) for w in title_a]
    sentences_a = SENTENCE.split(" ".join(base["abstract"].split()))
    sentences_b = SENTENCE.split(" ".join(other["abstract"].split()))
    abstract = [s if rng.random() > 0.4 else rng.choice(sentences_b) for s in sentences_a]
    authors = base["authors"].split(", ")[:3] + other["authors"].split(", ")[:2]
    year = rng.choices(range(2015, 2025), weights=range(1, 11))[0]
    day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return {
        "id": arxiv_id, "title": " ".join(title), "abstract": " ".join(abstract),
        "authors": ", ".join(authors), "categories": base["categories"],
        "versions": [{"version": "v1", "created": f"{day}T00:00:00Z"}], "update_date": day,
    }  # fmt: skip


def build(workdir: Path, papers: int, env: dict[str, str]) -> None:
    """Build the collection step by step; a step already done (after an interruption) is kept."""
    marker = workdir / "built.json"
    done = json.loads(marker.read_text()) if marker.exists() else {}
    if done.get("papers") != papers:
        done = {"papers": papers, "timings": {}}
    if "index" in done["timings"]:
        # Bring the derived indexes up to date with this checkout (a new keyword schema is
        # built from the database; an unchanged one costs a few seconds).
        print(f"collection of {papers:,} papers already built in {workdir}; updating its indexes")
        started = time.perf_counter()
        paperfeed(["index", "--no-embed"], env)
        print(f"  indexes up to date in {time.perf_counter() - started:,.0f} s")
        return
    workdir.mkdir(parents=True, exist_ok=True)
    synthetic = max(0, papers - 74_728)

    def step(name: str, work: object) -> None:
        if name in done["timings"]:
            return
        print(f"{name} …", flush=True)
        started = time.perf_counter()
        work()  # type: ignore[operator]
        done["timings"][name] = time.perf_counter() - started
        marker.write_text(json.dumps(done))

    def ingest() -> None:
        paperfeed(["migrate", "--no-input", "-v", "0"], env)
        paperfeed(["ingest", "snapshot", str(SAMPLE)], env)
        if synthetic:
            paperfeed(["ingest", "snapshot", str(workdir / "synthetic.jsonl")], env)

    step("generate", lambda: generate(workdir, synthetic, seed=1))
    step("ingest", ingest)
    step("store vectors", lambda: subprocess.run(
        [sys.executable, __file__, "--store-vectors", "--workdir", str(workdir)],
        env=env, cwd=ROOT, check=True))  # fmt: skip
    if os.environ.get("BENCH_DATA_ONLY"):
        return
    step("index", lambda: paperfeed(["index", "--no-embed"], env))


def store_vectors(workdir: Path, after: int = 0, extra: Path | None = None) -> None:
    """Store the real vectors of real papers and the blended ones of synthetic papers (papers
    after the id `after`; `extra`: the vectors of a day's new papers, row n for synthetic n)."""
    from paperfeed.papers.models import Paper
    from paperfeed.search.embedding import DEFAULT_MODEL, paper_text
    from paperfeed.search.indexing import text_hash, vectors_store

    started = time.perf_counter()
    ids = IDS.read_text().split()
    row_of = {arxiv_id: i for i, arxiv_id in enumerate(ids)}
    real = np.load(VECTORS, mmap_mode="r")
    synthetic = np.load(workdir / "synthetic.f16.npy", mmap_mode="r")
    more = np.load(extra, mmap_mode="r") if extra else None
    first = 0
    if extra:  # the day's papers are numbered from its first line's
        with open(extra.with_name("day.jsonl")) as day:
            first = _synthetic_row(json.loads(day.readline())["id"])
    stored = 0
    last = after
    while True:
        rows = list(Paper.objects.filter(id__gt=last).order_by("id")
                    .values_list("id", "arxiv_id", "title", "abstract")[:20_000])  # fmt: skip
        if not rows:
            break
        last = rows[-1][0]

        def vector(arxiv_id: str) -> np.ndarray:
            if arxiv_id in row_of:
                return real[row_of[arxiv_id]]
            n = _synthetic_row(arxiv_id)
            return synthetic[n] if n < len(synthetic) else more[n - first]  # type: ignore[index]

        vectors = np.stack([vector(a) for _, a, _, _ in rows])
        vectors_store(model=DEFAULT_MODEL, pids=[r[0] for r in rows], vectors=vectors,
                      hashes=[text_hash(paper_text(t, ab)) for _, _, t, ab in rows])  # fmt: skip
        stored += len(rows)
        print(f"\r  vectors stored: {stored:,}", end="", flush=True)
    print(f"\n  stored in {time.perf_counter() - started:,.0f} s")


def _synthetic_row(arxiv_id: str) -> int:
    month, number = arxiv_id.split(".")
    yy, mm = int(month[:2]), int(month[2:])
    block = (yy - 15) * 12 + (mm - 1)
    return block * 99_999 + int(number) - 1


def make_queries(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    papers = real_papers()
    queries: list[str] = []
    while len(queries) < count:
        paper = papers[rng.randrange(len(papers))]
        title = re.sub(r"[^\w\s-]", " ", paper["title"]).split()
        words = re.sub(r"[^\w\s-]", " ", paper["abstract"]).split()
        kind = rng.random()
        if kind < 0.35 and len(title) >= 3:
            size = rng.randint(3, min(6, len(title)))
            start = rng.randrange(len(title) - size + 1)
            queries.append(" ".join(title[start : start + size]))
        elif kind < 0.55 and len(words) >= 4:
            start = rng.randrange(len(words) - 3)
            queries.append(" ".join(words[start : start + rng.randint(2, 4)]))
        elif kind < 0.70:
            queries.append(rng.choice(COMMON))
        elif kind < 0.80:
            queries.append(" ".join(title))
        elif kind < 0.88:
            queries.append(f"{' '.join(title[:3])} cat:{paper['categories'].split()[0]}")
        elif kind < 0.95:
            queries.append(f"{rng.choice(COMMON)} year:{rng.choice([2019, 2022, 2025])}")
        else:
            author = paper["authors"].split(", ")[0]
            queries.append(f'author:"{author}" {" ".join(title[:2])}')
    return queries


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) * 1000


def measure(queries: int, as_json: bool, day: Path | None = None) -> None:
    """Time every mode on the same queries, warm, in a fresh process (its memory is the figure)."""
    from paperfeed.search.engine import engine, engine_warm
    from paperfeed.search.selectors import papers_search

    started = time.perf_counter()
    papers_search(q="graph neural network", mode="hybrid")
    first = time.perf_counter() - started
    started = time.perf_counter()
    engine_warm()
    current = engine()
    print(f"first answer after start: {first:.1f} s (hybrid, the engine opened on demand)")
    print(f"engine (and embedder) warm in {time.perf_counter() - started:.1f} s more: "
          f"{current.keyword.num_docs():,} papers, {current.vectors.count:,} vectors "
          f"({current.embedder().backend})")  # fmt: skip
    texts = make_queries(queries, seed=2)
    page_in()
    if day and os.environ.get("BENCH_DAY_ONLY"):
        for text in texts[:50]:
            papers_search(q=text, mode="hybrid")
        new_day(day, texts)
        return
    for text in texts[:50]:  # warm-up: the first queries load what Python caches
        papers_search(q=text, mode="hybrid")
    results: dict[str, dict[str, float]] = {}
    slowest: dict[str, list[tuple[float, str]]] = {}
    print(f"\n{queries} queries per mode, 20 results each (ms)")
    print(f"{'mode':<10} {'p50':>8} {'p90':>8} {'p99':>8} {'mean':>8}")
    for mode in ("keyword", "semantic", "hybrid"):
        times = []
        for text in texts:
            t0 = time.perf_counter()
            papers_search(q=text, mode=mode)
            times.append(time.perf_counter() - t0)
        results[mode] = {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99)}
        slowest[mode] = sorted(zip(times, texts, strict=True), reverse=True)[:6]
        print(f"{mode:<10} {percentile(times, 50):8.2f} {percentile(times, 90):8.2f} "
              f"{percentile(times, 99):8.2f} {float(np.mean(times)) * 1000:8.2f}")  # fmt: skip
    for mode, worst in slowest.items():
        print(f"slowest {mode}: " + " · ".join(f"{t * 1000:.0f} ms {q[:40]!r}" for t, q in worst))
    encode = []
    for text in texts[:200]:
        t0 = time.perf_counter()
        current.encode_query(text)
        encode.append(time.perf_counter() - t0)
    print(f"{'(encode)':<10} {percentile(encode, 50):8.2f} {'':>8} {percentile(encode, 99):8.2f}")
    results["memory_mb"] = memory_mb()  # before the brute-force baseline reads every vector
    print(f"\nsearch process memory: peak RSS {results['memory_mb']['peak_rss']:,.0f} MB "
          f"(anonymous {results['memory_mb']['anon']:,.0f} MB, "
          f"file-backed {results['memory_mb']['file']:,.0f} MB)")  # fmt: skip
    print("resident index files (MB): " + ", ".join(
        f"{kind} {mb:,.0f}" for kind, mb in results["memory_mb"]["files"].items()))  # fmt: skip
    if os.environ.get("BENCH_MODES_ONLY"):  # the modes and memory only (a quick re-measure)
        return
    results["ann"] = ann_recall(current, texts[:100])
    if day:
        results["day"] = new_day(day, texts)
    if as_json:
        print(json.dumps(results))


def new_day(workdir: Path, texts: list[str]) -> dict[str, float]:
    """A day's 2,000 new papers: stored, then `paperfeed index` (timed, memory sampled) while
    this process goes on answering hybrid searches; prints their latency before, during and
    after the switch to the new version."""
    from django.conf import settings

    from paperfeed.papers.models import Paper
    from paperfeed.search.engine import engine
    from paperfeed.search.selectors import papers_search

    env = {**os.environ}
    count = 2_000
    synthetic = len(np.load(workdir / "synthetic.f16.npy", mmap_mode="r"))
    stamp = int(time.time())
    generate(workdir, count, seed=stamp, first=synthetic + (stamp % 50) * count, name="day")
    last = Paper.objects.order_by("-id").values_list("id", flat=True).first() or 0
    print(f"\na day: {count:,} new papers")
    paperfeed(["ingest", "snapshot", str(workdir / "day.jsonl")], env)
    subprocess.run([sys.executable, __file__, "--store-vectors", "--workdir", str(workdir),
                    "--after", str(last)], env=env, cwd=ROOT, check=True)  # fmt: skip
    before = engine().vectors.version
    import threading

    figures: dict[str, float] = {}
    done = threading.Event()

    def index() -> None:
        # At the worker's niceness: its `index` job is what indexes a day on a server.
        figures.update(paperfeed(["index", "--no-embed"], env, nice=settings.WORKER_NICE))
        done.set()

    thread = threading.Thread(target=index)
    thread.start()
    during: list[float] = []
    after: list[float] = []
    switched_at = None
    i = 0
    while not done.is_set() or len(after) < 200:
        t0 = time.perf_counter()
        papers_search(q=texts[i % len(texts)], mode="hybrid")
        elapsed = time.perf_counter() - t0
        i += 1
        if engine().vectors.version != before and switched_at is None:
            switched_at = elapsed
        (after if done.is_set() else during).append(elapsed)
    thread.join()
    print(f"  searches while it ran: {len(during)} hybrid, p50 {percentile(during, 50):.1f} ms, "
          f"p99 {percentile(during, 99):.1f} ms; the first on the new version took "
          f"{(switched_at or 0) * 1000:.1f} ms; after: p50 {percentile(after, 50):.1f} ms, "
          f"p99 {percentile(after, 99):.1f} ms (version {before} → {engine().vectors.version}, "
          f"{engine().vectors.count:,} vectors)")  # fmt: skip
    return {**figures, "during_p99_ms": percentile(during, 99),
            "after_p99_ms": percentile(after, 99)}  # fmt: skip


def page_in() -> None:
    """Read the database and the index files once, so that they sit in the OS page cache, as they
    do on a server that has been answering for a while. (Cold, every query would wait on ~20
    random disk reads for the papers it shows.) Page cache is shared and reclaimable: it is not
    the search process's memory, which is measured separately below."""
    from django.conf import settings

    started = time.perf_counter()
    paths = [Path(settings.DATABASES["default"]["NAME"])]
    paths += [p for p in Path(settings.SEARCH_INDEX_DIR).rglob("*") if p.is_file()]
    # Read by another process: this one holds a SQLite connection, and closing a descriptor of
    # the database file here would drop that connection's POSIX locks (a reader would then see
    # pages a concurrent writer is checkpointing: "database disk image is malformed").
    subprocess.run(["cat", *map(str, paths)], stdout=subprocess.DEVNULL, check=True)
    total = sum(path.stat().st_size for path in paths)
    print(f"paged in the database and indexes: {total / 1e9:.1f} GB in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip


def ann_recall(current: object, texts: list[str]) -> dict[str, float]:
    """Recall@10 of the vector index against exact brute force over every vector (the
    baseline), at the index's settings; then a sweep of the search effort (ef per graph) and
    of how many candidates are re-scored, on the same queries."""
    from paperfeed.search import vectors as vectors_module

    vectors = current.vectors  # type: ignore[attr-defined]
    flat = np.load(vectors.root / f"v{vectors.version}" / "vectors.npy", mmap_mode="r")
    queries = [current.encode_query(text) for text in texts]  # type: ignore[attr-defined]
    truths, exact_t = [], []
    for q in queries:
        t0 = time.perf_counter()
        scores = np.empty(len(flat), dtype=np.float32)
        for start in range(0, len(flat), 131_072):
            scores[start : start + 131_072] = flat[start : start + 131_072].astype(np.float32) @ q
        top = np.argpartition(-scores, 9)[:10]
        exact_t.append(time.perf_counter() - t0)
        truths.append({int(vectors.keys[i]) for i in top})

    def run() -> tuple[float, list[float]]:
        recalls, times = [], []
        for q, truth in zip(queries, truths, strict=True):
            t0 = time.perf_counter()
            found = {pid for pid, _ in vectors.search(q, 10)}
            times.append(time.perf_counter() - t0)
            recalls.append(len(found & truth) / 10)
        return float(np.mean(recalls)), times

    recall, ann_t = run()
    figures = {"recall@10": recall, "ann_p50_ms": percentile(ann_t, 50),
               "ann_p99_ms": percentile(ann_t, 99), "exact_p50_ms": percentile(exact_t, 50),
               "exact_p99_ms": percentile(exact_t, 99)}  # fmt: skip
    graphs = [len(g.view) for g in vectors.graphs]
    print(f"\nANN ({len(graphs)} int8 graphs of {', '.join(f'{n:,}' for n in graphs)}; ef "
          f"{vectors.expansion}, {vectors_module.RESCORE} re-scored) recall@10 vs exact: "
          f"{recall:.3f} · ANN p50 {figures['ann_p50_ms']:.2f} ms, "
          f"p99 {figures['ann_p99_ms']:.2f} ms · baseline exact brute force (numpy, f16→f32) "
          f"p50 {figures['exact_p50_ms']:.1f} ms, p99 {figures['exact_p99_ms']:.1f} ms",
          flush=True)  # fmt: skip
    if vectors.graphs:
        saved = ([g.view.expansion_search for g in vectors.graphs], vectors_module.RESCORE)
        print("sweep: ef per graph × re-scored → recall@10, ANN p50 / p99 ms")
        for ef in (128, 256, 400, 600, 900):
            for rescore in (32, 64, 128):
                for g in vectors.graphs:
                    g.view.expansion_search = ef
                vectors_module.RESCORE = rescore
                recall, times = run()
                print(f"  ef {ef:4d} × {rescore:3d}: {recall:.3f}  {percentile(times, 50):6.2f} / "
                      f"{percentile(times, 99):6.2f}", flush=True)  # fmt: skip
        for g, ef in zip(vectors.graphs, saved[0], strict=True):
            g.view.expansion_search = ef
        vectors_module.RESCORE = saved[1]
    return figures


def memory_mb() -> dict[str, float]:
    import resource

    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    kb = {k: float(fields[k].split()[0]) for k in ("RssAnon", "RssFile") if k in fields}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak_rss": peak / 1024, "anon": kb.get("RssAnon", 0) / 1024,
            "file": kb.get("RssFile", 0) / 1024, "files": mapped_files_mb()}  # fmt: skip


def mapped_files_mb() -> dict[str, float]:
    """Resident MB per kind of memory-mapped index file (/proc/self/smaps), largest first."""
    totals: dict[str, float] = {}
    name = ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5:  # a mapping's header line
            name = head[5] if len(head) > 5 else ""
        elif head and head[0] == "Rss:" and name.startswith("/") and "index" in name:
            kind = Path(name).suffix or Path(name).name
            totals[kind] = totals.get(kind, 0.0) + float(head[1]) / 1024
    return dict(sorted(((k, round(v)) for k, v in totals.items() if v >= 1), key=lambda x: -x[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--day", action="store_true", help="then a day's 2,000 new papers: incremental index, timed"
    )
    parser.add_argument("--store-vectors", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--after", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = (args.workdir or ROOT / "var" / "bench" / f"search-{args.papers}").resolve()
    env = {**os.environ, "PAPERFEED_HOME": str(workdir / "home"), "HF_HUB_OFFLINE": "1",
           "DJANGO_SETTINGS_MODULE": "paperfeed.settings", "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop("DATABASE_URL", None)
    if args.store_vectors or args.measure:
        os.environ.update(env)
        import django

        django.setup()
        if args.store_vectors:
            day = workdir / "day.f16.npy"
            store_vectors(workdir, args.after, day if args.after else None)
        else:
            measure(args.queries, args.json, workdir if args.day else None)
        return
    build(workdir, args.papers, env)
    built = json.loads((workdir / "built.json").read_text())
    print("build: " + " · ".join(f"{k} {v:,.0f} s" for k, v in built["timings"].items()))
    command = [sys.executable, __file__, "--measure", "--workdir", str(workdir),
               "--queries", str(args.queries)] + (["--json"] if args.json else []) + (
               ["--day"] if args.day else [])  # fmt: skip
    subprocess.run(command, env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
