"""Key-phrase and summary benchmark: what describing a paper adds to `paperfeed index`.

On N real papers of the shared sample, with the model `paperfeed index` loads (the default
backend), prints in one run:
- the baseline: papers/s of embedding the papers themselves (what `index` already does);
- papers/s and ms per paper of `papers_describe` (phrase candidates, their embeddings, MMR
  ranking, the central sentence), given the papers' vectors, and of the text rules alone;
- what it found: phrases per paper, and a few papers with their phrases and summary.

    python bench/keyphrases.py [--n 400] [--show 5] [--json]

The cost per paper is what `paperfeed index` adds for each new or changed paper.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "data" / "arxiv" / "arxiv-sample-75k.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--show", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django

    django.setup()
    from django.conf import settings

    from paperfeed.lib.keyphrases import central_sentence, phrase_candidates
    from paperfeed.search.embedding import embedder_load, paper_text
    from paperfeed.search.summaries import CANDIDATES, papers_describe

    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        # Every 150th paper: a spread over the sample's months and subjects.
        rows = [json.loads(line) for line in itertools.islice(handle, 0, args.n * 150, 150)]
    papers = [(r["title"], r["abstract"]) for r in rows]
    embedder = embedder_load(
        backend=settings.EMBEDDING_BACKEND, cache_dir=settings.SEARCH_MODELS_DIR
    )
    embedder.encode_documents([paper_text(*papers[0])])  # warm

    started = time.perf_counter()
    vectors = embedder.encode_documents([paper_text(t, a) for t, a in papers])
    embed_s = time.perf_counter() - started

    started = time.perf_counter()
    for title, abstract in papers:
        phrase_candidates(title, abstract, limit=CANDIDATES)
        central_sentence(abstract)
    rules_s = time.perf_counter() - started

    started = time.perf_counter()
    described = papers_describe(embedder, papers, vectors)
    describe_s = time.perf_counter() - started

    counts = [len(d.keywords) for d in described]
    figures = {
        "papers": len(papers),
        "backend": embedder.backend,
        "embed_papers_per_s": len(papers) / embed_s,
        "describe_papers_per_s": len(papers) / describe_s,
        "describe_ms_per_paper": 1000 * describe_s / len(papers),
        "rules_ms_per_paper": 1000 * rules_s / len(papers),
        "added_to_index_time": describe_s / embed_s,
        "phrases_per_paper_median": statistics.median(counts),
        "papers_with_3_to_6": sum(3 <= c <= 6 for c in counts) / len(counts),
    }
    print(
        f"key phrases on {len(papers):,} sample papers, {embedder.model_name} ({embedder.backend})"
    )
    print(f"  baseline: embedding the papers   {figures['embed_papers_per_s']:8.1f} papers/s")
    print(
        f"  describing them                  {figures['describe_papers_per_s']:8.1f} papers/s"
        f"  ({figures['describe_ms_per_paper']:.1f} ms a paper; the text rules alone "
        f"{figures['rules_ms_per_paper']:.2f} ms)"
    )
    print(
        f"  index time added per new paper   {figures['added_to_index_time']:8.0%} of embedding it"
    )
    print(
        f"  phrases a paper: median {figures['phrases_per_paper_median']}, "
        f"{figures['papers_with_3_to_6']:.0%} with 3 to 6"
    )
    for (title, _), found in list(zip(papers, described, strict=True))[: args.show]:
        print(f"\n  {title[:100]}")
        print(f"    phrases: {'; '.join(found.keywords)}")
        print(f"    summary: {found.summary[:200]}")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
