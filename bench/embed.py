"""Embedding benchmark: paperfeed's embedder against plain sentence-transformers, same texts.

Prints docs/s for the baseline (SentenceTransformer.encode, torch fp32, batch 64, 256 tokens,
on the GPU when there is one) and for `embedder_load(backend=...)`, on the same N real arXiv
abstracts from the shared sample; how closely their vectors agree with each other and with the
shipped reference vectors; and query-encoding latency (p50/p99) for short queries.

    python bench/embed.py [--n 512] [--backend auto|onnx|torch] [--batch-size B]

Targets: >= 60 docs/s on 2 CPU cores; >= 15,000 docs/s on one H100 (use --n 20000 there).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "arxiv"
SAMPLE = DATA / "arxiv-sample-75k.jsonl.gz"
REFERENCE = DATA / "arxiv-sample-75k.minilm-l6-v2.f16.npy"

from paperfeed.search.embedding import (  # noqa: E402  (after the path set-up above)
    DEFAULT_MODEL,
    Embedder,
    embedder_load,
    model_source,
    paper_text,
)


def sample(n: int) -> tuple[list[str], list[str], np.ndarray]:
    """The first n papers: texts as paperfeed stores them, short queries, reference vectors."""
    texts, queries = [], []
    with gzip.open(SAMPLE, "rt") as lines:
        for line in itertools.islice(lines, n):
            record = json.loads(line)
            title, abstract = (
                " ".join(record["title"].split()),
                " ".join(record["abstract"].split()),
            )
            texts.append(paper_text(title, abstract))
            queries.append(" ".join(title.split()[:6]))
    reference = np.asarray(np.load(REFERENCE, mmap_mode="r")[:n], dtype=np.float32)
    return texts, queries, reference


def cosine(a: np.ndarray, b: np.ndarray) -> str:
    c = np.sum(a * b, axis=1)
    return f"mean {c.mean():.5f}  min {c.min():.5f}"


def latency(encode: object, queries: list[str]) -> str:
    assert callable(encode)
    for q in queries[:5]:
        encode(q)
    times = []
    for q in queries:
        started = time.perf_counter()
        encode(q)
        times.append((time.perf_counter() - started) * 1000)
    return f"p50 {np.percentile(times, 50):6.2f} ms  p99 {np.percentile(times, 99):6.2f} ms"


def machine() -> str:
    import torch

    cores = len(os.sched_getaffinity(0))
    cpu = f"{cores} CPU cores ({torch.backends.cpu.get_cpu_capability()})"
    if torch.cuda.is_available():
        return f"{cpu}, {torch.cuda.get_device_name(0)}"
    return f"{cpu}, no GPU, load average {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=0, help="abstracts (default 512, 20000 on GPU)")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cache-dir", type=Path, default=None, help="ONNX cache (default: temp)")
    args = parser.parse_args()
    if not SAMPLE.is_file():
        sys.exit(f"{SAMPLE}: not found (the 75k sample lives in ../shared/data/arxiv/)")

    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    n = args.n or (20_000 if device == "cuda" else 512)
    texts, queries, reference = sample(max(n, args.queries))
    texts, reference, queries = texts[:n], reference[:n], queries[: args.queries]
    print(f"embedding benchmark: {n:,} arXiv abstracts, {DEFAULT_MODEL}, on {machine()}")

    baseline = SentenceTransformer(str(model_source(DEFAULT_MODEL).path), device=device)
    baseline.max_seq_length = 256
    baseline.encode(texts[:64], batch_size=64)  # warm-up
    started = time.perf_counter()
    base = baseline.encode(texts, batch_size=64, normalize_embeddings=True)
    base_rate = n / (time.perf_counter() - started)
    print(f"  baseline  sentence-transformers fp32 {device}, batch 64: {base_rate:9,.1f} docs/s")

    scratch = tempfile.TemporaryDirectory(prefix="pf-bench-embed-")  # removed at exit
    cache = args.cache_dir or Path(scratch.name)
    started = time.perf_counter()
    embedder: Embedder = embedder_load(backend=args.backend, cache_dir=cache)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    embedder_load(backend=args.backend, cache_dir=cache)  # what a server pays once exported
    reload_s = time.perf_counter() - started
    print(f"  paperfeed {embedder.backend}: first load {load_s:.1f} s (includes any export), "
          f"later loads {reload_s:.2f} s")  # fmt: skip
    embedder.encode_documents(texts[:64], batch_size=args.batch_size)  # warm-up
    started = time.perf_counter()
    ours = embedder.encode_documents(texts, batch_size=args.batch_size)
    rate = n / (time.perf_counter() - started)
    print(
        f"  paperfeed {embedder.backend}: {rate:9,.1f} docs/s  ({rate / base_rate:.2f}x baseline)"
    )

    print("agreement (cosine per abstract)")
    print(f"  paperfeed vs baseline:   {cosine(ours, base)}")
    print(f"  paperfeed vs reference:  {cosine(ours, reference)}")
    print(f"  baseline  vs reference:  {cosine(base, reference)}")
    print(f"query latency ({len(queries)} short queries, one at a time)")
    print(f"  paperfeed {embedder.backend}: {latency(embedder.encode_query, queries)}")
    print(f"  baseline:          {latency(lambda q: baseline.encode([q]), queries)}")
    print("targets: >= 60 docs/s on 2 CPU cores, >= 15,000 docs/s on one H100; query p50 a few ms")


if __name__ == "__main__":
    main()
