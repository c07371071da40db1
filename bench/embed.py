"""Embedding benchmark: paperfeed's embedder against plain sentence-transformers, same texts.

Prints docs/s for the baseline (SentenceTransformer.encode, torch fp32, batch 64, 256 tokens,
on the GPU when there is one) and for `embedder_load(backend=...)`, on the same N real arXiv
abstracts from the shared sample; how closely their vectors agree with each other and with the
shipped reference vectors; and query-encoding latency (p50/p99) for short queries.

    python bench/embed.py [--n 512] [--backend auto|onnx|torch] [--batch-size B[,B...]]
                          [--passes P] [--sample JSONL] [--reference NPY]

Each rate is the median of P timed passes over the same texts. paperfeed's path is timed twice:
all texts in one call, and in the slices `paperfeed index` hands over (`papers_per_call`).
`--sample` / `--reference` read another copy of the sample (a .jsonl, .jsonl.gz or .jsonl.xz of
{"title", "abstract"} records, and the first rows of the reference vectors), for a machine
without ../shared; agreement with the reference is measured on the rows it holds.

Targets: >= 60 docs/s on 2 CPU cores; >= 15,000 docs/s on one H100 (use --n 20000 there).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import lzma
import os
import statistics
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
from paperfeed.search.embedding.torch import TorchEmbedder  # noqa: E402
from paperfeed.search.tokenizing import WordPieceCache  # noqa: E402


def _open(path: Path):  # type: ignore[no-untyped-def]
    if path.suffix == ".gz":
        return gzip.open(path, "rt")
    if path.suffix == ".xz":
        return lzma.open(path, "rt")
    return path.open()


def sample(n: int, path: Path, ref: Path) -> tuple[list[str], list[str], np.ndarray]:
    """The first n papers: texts as paperfeed stores them, short queries, reference vectors."""
    texts, queries = [], []
    with _open(path) as lines:
        for line in itertools.islice(lines, n):
            record = json.loads(line)
            title, abstract = (
                " ".join(record["title"].split()),
                " ".join(record["abstract"].split()),
            )
            texts.append(paper_text(title, abstract))
            queries.append(" ".join(title.split()[:6]))
    reference = np.asarray(np.load(ref, mmap_mode="r")[:n], dtype=np.float32)
    return texts, queries, reference


def cosine(a: np.ndarray, b: np.ndarray) -> str:
    rows = min(len(a), len(b))
    c = np.sum(a[:rows] * b[:rows], axis=1)
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


def timed(encode: object, texts: list[str], passes: int) -> tuple[float, np.ndarray]:
    """Median docs/s over `passes` runs of encode(texts), and the vectors of the last."""
    assert callable(encode)
    rates, vectors = [], np.empty(0)
    for _ in range(passes):
        started = time.perf_counter()
        vectors = encode(texts)
        synchronize()
        rates.append(len(texts) / (time.perf_counter() - started))
    return statistics.median(rates), vectors


def synchronize() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def in_slices(embedder: Embedder, size: int, batch_size: int | None) -> object:
    """Encode as `paperfeed index` does: `size` papers per call, one call after another."""

    def encode(texts: list[str]) -> np.ndarray:
        parts = [
            embedder.encode_documents(texts[i : i + size], batch_size=batch_size)
            for i in range(0, len(texts), size)
        ]
        return np.concatenate(parts)

    return encode


def forward_alone(embedder: TorchEmbedder, texts: list[str], size: int, passes: int) -> None:
    """The GPU's bound: the forward pass over batches already tokenised and on the GPU."""
    import torch

    order = np.argsort([-len(t) for t in texts], kind="stable")
    batches = []
    for i in range(0, len(texts), size):
        ids, mask = embedder._tokenize([texts[j] for j in order[i : i + size]])
        batches.append((ids.to(embedder.device), mask.to(embedder.device)))

    def run(_: list[str]) -> np.ndarray:
        with torch.inference_mode():
            for ids, mask in batches:
                embedder._forward(ids, mask)
        return np.empty(0)

    run(texts)
    rate, _ = timed(run, texts, passes)
    print(f"  the GPU forward pass alone (fp16, batch {size}, tokens on the GPU): "
          f"{rate:9,.1f} docs/s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=0, help="abstracts (default 512, 20000 on GPU)")
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--batch-size", default="", help="one or more, comma-separated")
    parser.add_argument(
        "--tokenize-processes",
        default="",
        help="torch only: tokenizer worker processes to compare, comma-separated (0: threads)",
    )
    parser.add_argument("--passes", type=int, default=1, help="timed passes; the median counts")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--cache-dir", type=Path, default=None, help="ONNX cache (default: temp)")
    args = parser.parse_args()
    for path in (args.sample, args.reference):
        if not path.is_file():
            sys.exit(f"{path}: not found (the 75k sample lives in ../shared/data/arxiv/)")
    try:
        sizes: list[int | None] = [int(b) for b in args.batch_size.split(",") if b.strip()]
        workers = [int(w) for w in args.tokenize_processes.split(",") if w.strip()]
    except ValueError:
        sys.exit("--batch-size and --tokenize-processes take whole numbers, comma-separated")
    sizes = sizes or [None]  # the embedder's own
    passes = max(1, args.passes)

    import torch
    from sentence_transformers import SentenceTransformer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    n = args.n or (20_000 if device == "cuda" else 512)
    texts, queries, reference = sample(max(n, args.queries), args.sample, args.reference)
    texts, reference, queries = texts[:n], reference[:n], queries[: args.queries]
    n = len(texts)
    print(f"embedding benchmark: {n:,} arXiv abstracts, {DEFAULT_MODEL}, on {machine()}")
    print(f"  rates are the median of {passes} timed pass(es) over the same {n:,} texts")

    source = model_source(DEFAULT_MODEL)
    tokenizer = source.tokenizer()
    tokenizer.encode_batch(texts[:256])
    started = time.perf_counter()
    for i in range(0, n, 256):
        tokenizer.encode_batch(texts[i : i + 256])
    rate = n / (time.perf_counter() - started)
    print(f"  the tokenizer alone, on every core (batches of 256, no padding): {rate:9,.1f} docs/s")
    try:
        cached = WordPieceCache(tokenizer, source.max_tokens)
    except ValueError:
        pass
    else:
        for label in ("first pass", "second pass"):
            started = time.perf_counter()
            cached.encode_batch(texts)
            rate = n / (time.perf_counter() - started)
            print(f"  paperfeed's chunk-cache tokenizer, one core, {label}: {rate:9,.1f} docs/s")

    baseline = SentenceTransformer(str(source.path), device=device)
    baseline.float()  # off-the-shelf: fp32 whatever dtype the weights were stored in
    baseline.max_seq_length = 256
    baseline.encode(texts[:64], batch_size=64)  # warm-up
    base_rate, base = timed(
        lambda t: baseline.encode(t, batch_size=64, normalize_embeddings=True), texts, passes
    )
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
    variants: list[Embedder] = [embedder]
    if workers and isinstance(embedder, TorchEmbedder):
        variants = [TorchEmbedder(source, tokenize_processes=w) for w in workers]
    if isinstance(embedder, TorchEmbedder) and embedder.cuda:
        for size in sizes:
            forward_alone(embedder, texts, size or embedder.batch_size, passes)
    ours = np.empty(0)
    for variant in variants:
        name = variant.backend
        if isinstance(variant, TorchEmbedder):
            count = variant.tokenize_processes
            name += f", tokenizing in {f'{count} processes' if count else 'threads'}"
        for size in sizes:
            label = f"{name}, batch {size or variant.batch_size}"
            variant.encode_documents(texts[:2048], batch_size=size)  # warm-up, pool start
            rate, ours = timed(
                lambda t, e=variant, b=size: e.encode_documents(t, batch_size=b), texts, passes
            )
            print(f"  paperfeed {label}, one call: {rate:9,.1f} docs/s  "
                  f"({rate / base_rate:.2f}x baseline)")  # fmt: skip
            if variant.papers_per_call and variant.papers_per_call < n:
                per_call = variant.papers_per_call
                rate, _ = timed(in_slices(variant, per_call, size), texts, passes)
                print(f"  paperfeed {label}, {per_call:,} per call as `paperfeed index` does: "
                      f"{rate:9,.1f} docs/s  ({rate / base_rate:.2f}x baseline)")  # fmt: skip

    print("agreement (cosine per abstract; reference: the shipped vectors, on "
          f"{min(n, len(reference)):,} rows)")  # fmt: skip
    print(f"  paperfeed vs baseline:   {cosine(ours, base)}")
    print(f"  paperfeed vs reference:  {cosine(ours, reference)}")
    print(f"  baseline  vs reference:  {cosine(base, reference)}")
    print(f"query latency ({len(queries)} short queries, one at a time)")
    print(f"  paperfeed {embedder.backend}: {latency(embedder.encode_query, queries)}")
    print(f"  baseline:          {latency(lambda q: baseline.encode([q]), queries)}")
    print("targets: >= 60 docs/s on 2 CPU cores, >= 15,000 docs/s on one H100; query p50 a few ms")


if __name__ == "__main__":
    main()
