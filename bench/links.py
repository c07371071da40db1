"""Link finder benchmark: `links_find` over the 74,728-paper arXiv sample, and its accuracy.

Prints papers/s (links_find alone, the JSON already parsed), how many papers have any link, a
code link, a primary repository, and the links per kind and per field; then precision and recall
of the primary repository on the hand-labelled tests/fixtures/links/labelled-200.jsonl (a hit is
the labelled URL exactly). Beside them, in the same run, the baseline: the first
`https://github.com/owner/name` a plain regular expression finds, taken as the paper's own.

    python bench/links.py [--file PATH] [--labelled PATH] [--json]

With --json the last line of stdout holds the figures. The target on the labelled set is
precision >= 0.98 and recall >= 0.95.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperfeed.lib.links import KINDS, SOURCES, links_find, primary_repository  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "arxiv" / "arxiv-sample-75k.jsonl.gz"
LABELLED = ROOT / "tests" / "fixtures" / "links" / "labelled-200.jsonl"
NAIVE = re.compile(r"https?://github\.com/[\w-]+/[\w.-]+")

Fields = tuple[str, str, str]  # abstract, comments, journal_ref
Guess = Callable[[Fields], str | None]  # the paper's own repository, or None


def read_sample(path: Path) -> list[Fields]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [
        (r.get("abstract") or "", r.get("comments") or "", r.get("journal-ref") or "") for r in rows
    ]


def read_labelled(path: Path) -> list[tuple[Fields, str | None]]:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [((r["abstract"], r["comments"], r["journal_ref"]), r["own_repo"]) for r in rows]


def ours(fields: Fields) -> str | None:
    abstract, comments, journal_ref = fields
    found = links_find(abstract=abstract, comments=comments, journal_ref=journal_ref)
    primary = primary_repository(found)
    return primary.url if primary else None


def naive(fields: Fields) -> str | None:
    match = NAIVE.search(fields[0] + "\n" + fields[1])
    return match.group(0).rstrip(".,;:)").removesuffix(".git") if match else None


def score(guess: Guess, rows: list[tuple[Fields, str | None]]) -> dict[str, float]:
    """Precision and recall: a guess that is not the label (or where the label is None) is a
    false positive; a label not guessed exactly is a false negative."""
    tp = fp = fn = 0
    for fields, label in rows:
        predicted = guess(fields)
        if predicted is not None and predicted == label:
            tp += 1
            continue
        fp += predicted is not None
        fn += label is not None
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp, "fp": fp, "fn": fn,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=SAMPLE)
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    papers = read_sample(args.file)
    started = time.perf_counter()
    found = [links_find(abstract=a, comments=c, journal_ref=j) for a, c, j in papers]
    seconds = time.perf_counter() - started

    with_kind: Counter[str] = Counter()
    links_of: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    for links in found:
        with_kind.update({link.kind for link in links})
        links_of.update(link.kind for link in links)
        by_source.update(link.source for link in links)
    any_link = sum(1 for links in found if links)
    primary = sum(1 for links in found if primary_repository(links))

    n = len(papers)
    print(f"links benchmark: {n:,} papers from {args.file.name}")
    print(f"  links_find      {n / seconds:>10,.0f} papers/s  {seconds:6.2f} s")
    print(f"  any link        {any_link:>10,} papers  {any_link / n:6.1%}")
    print(f"  a code link     {with_kind['code']:>10,} papers  {with_kind['code'] / n:6.1%}")
    print(f"  a primary repo  {primary:>10,} papers  {primary / n:6.1%}")
    print("  per kind        papers    links")
    for kind in KINDS:
        print(f"    {kind:<12} {with_kind[kind]:>8,} {links_of[kind]:>8,}")
    print("  per field       " + "  ".join(f"{s} {by_source[s]:,}" for s in SOURCES))

    labelled = read_labelled(args.labelled)
    labels = sum(1 for _, label in labelled if label)
    results = {"ours": score(ours, labelled), "baseline": score(naive, labelled)}
    print(f"primary repository on {args.labelled.name} ({len(labelled)} papers, {labels} labelled)")
    for name, r in results.items():
        print(f"  {name:<9} precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
              f"(tp {r['tp']:.0f}, fp {r['fp']:.0f}, fn {r['fn']:.0f})")  # fmt: skip
    print("target: precision >= 0.98, recall >= 0.95")
    if args.json:
        figures = {
            "papers": n, "papers_per_s": round(n / seconds), "any_link": any_link,
            "code_link": with_kind["code"], "primary": primary,
            "papers_per_kind": dict(with_kind), "links_per_kind": dict(links_of),
            "labelled": results,
        }  # fmt: skip
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
