"""Alerts benchmark: every saved-search alert matched against a day of new papers.

100,000 readers hold alerts on 10,000 distinct queries, made from the real titles and
categories of the shared sample (two or three consecutive words of a title, a third of them
with the paper's category as `cat:`, some with a phrase or an exclusion). A day of 2,000 new
real papers arrives, with their real stored vectors. `alerts_check` (the worker's `alerts`
job) then matches every alert, by words and by meaning, and stores the matches.

    python bench/alerts.py [--readers 100000] [--queries 10000] [--papers 2000] [--workdir DIR]

Printed: the time of the run and how much the process grew during it, by words only (the
baseline, in the same run) and by words and meaning; matches stored; alerts per second. The size
of the rest of the catalog does not enter: a run reads only the papers that arrived since the
last one (the scratch index holds the day, never the catalog). Target (2 cores): every alert in
under 60 s, with flat memory.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "arxiv"
SAMPLE = DATA / "arxiv-sample-75k.jsonl.gz"
VECTORS = DATA / "arxiv-sample-75k.minilm-l6-v2.f16.npy"
IDS = DATA / "arxiv-sample-75k.ids.txt"
PAGE = os.sysconf("SC_PAGE_SIZE")
STOP = set(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "in",
        "on",
        "with",
        "to",
        "via",
        "from",
        "by",
        "at",
        "is",
        "are",
        "as",
        "or",
        "its",
        "their",
        "our",
    ]
)


def queries_from(titles: list[tuple[str, str]], count: int, rng: random.Random) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        title, category = rng.choice(titles)
        words = [w.strip(":,.()?!").lower() for w in title.split()]
        words = [w for w in words if w and w not in STOP and w.isascii() and w.isalpha()]
        if len(words) < 2:
            continue
        size = rng.choice((2, 2, 3))
        start = rng.randrange(0, max(1, len(words) - size + 1))
        text = " ".join(words[start : start + size])
        roll = rng.random()
        if roll < 0.33:
            text += f" cat:{category}"
        elif roll < 0.40:
            text = f'"{text}"'
        elif roll < 0.45:
            text += " -survey"
        found.add(text)
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--papers", type=int, default=2_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="paperfeed-bench-alerts-"))
    os.environ.update({"PAPERFEED_HOME": str(workdir), "HF_HUB_OFFLINE": "1",
                       "DJANGO_SETTINGS_MODULE": "paperfeed.settings"})  # fmt: skip
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from paperfeed.accounts.models import SavedSearch
    from paperfeed.alerts.models import Alert, AlertMatch
    from paperfeed.alerts.services import alerts_check
    from paperfeed.lib.records import PaperRecord
    from paperfeed.lib.snapshot import read_snapshot
    from paperfeed.papers.ingest import papers_upsert_batch
    from paperfeed.search.embedding import embedder_load
    from paperfeed.search.indexing import vectors_store

    rng = random.Random(7)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        titles = [
            (r["title"], r["categories"].split()[0])
            for r in map(json.loads, itertools.islice(handle, 0, 60_000, 3))
        ]
    queries = queries_from(titles, args.queries, rng)
    set_at = datetime(2026, 11, 1, tzinfo=UTC)
    User = get_user_model()
    password = make_password(None)
    User.objects.bulk_create(
        [User(username=f"r{i:06d}", password=password) for i in range(args.readers)],
        batch_size=5_000,
    )
    users = list(User.objects.order_by("id").values_list("id", flat=True))
    SavedSearch.objects.bulk_create(
        [SavedSearch(user_id=uid, name="alert", query=queries[i % len(queries)])
         for i, uid in enumerate(users)], batch_size=5_000,
    )  # fmt: skip
    Alert.objects.bulk_create(
        [Alert(search_id=sid, checked_until=set_at)
         for sid in SavedSearch.objects.values_list("id", flat=True)], batch_size=5_000,
    )  # fmt: skip
    records = [r for r in itertools.islice(read_snapshot(SAMPLE), 60_000, None)
               if isinstance(r, PaperRecord)][: args.papers]  # fmt: skip
    ids = papers_upsert_batch(records=records).ids
    from paperfeed.papers.models import Paper

    Paper.objects.update(created_at=set_at + timedelta(hours=12))
    row_of = {arxiv_id: i for i, arxiv_id in enumerate(IDS.read_text().split())}
    matrix = np.load(VECTORS, mmap_mode="r")
    present = [r.arxiv_id for r in records if r.arxiv_id in row_of]
    embedder = embedder_load(
        backend=settings.EMBEDDING_BACKEND, cache_dir=settings.SEARCH_MODELS_DIR
    )
    vectors_store(
        model=embedder.model_name, pids=[ids[a] for a in present],
        vectors=np.stack([matrix[row_of[a]] for a in present]).astype(np.float32),
        hashes=["bench"] * len(present),
    )  # fmt: skip
    print(f"alerts benchmark: {args.readers:,} readers, {len(queries):,} distinct queries, "
          f"{len(records):,} new papers ({len(present):,} with vectors); built in "
          f"{time.perf_counter() - started:,.0f} s in {workdir}")  # fmt: skip
    print(f"  e.g. {'; '.join(rng.sample(queries, 5))}")

    def rss_mb() -> float:
        return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / 2**20

    def run(label: str, **kwargs: object) -> None:
        AlertMatch.objects.all().delete()
        Alert.objects.update(checked_until=set_at)
        gc.collect()
        before, highest, done = rss_mb(), [0.0], threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                highest[0] = max(highest[0], rss_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        summary = alerts_check(now=set_at + timedelta(days=1), **kwargs)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        done.set()
        sampler.join()
        grew = max(highest[0], rss_mb()) - before
        print(f"  {label:<22} {seconds:7.1f} s  {summary.matches:>9,} matches  "
              f"{summary.alerts / seconds:>8,.0f} alerts/s  memory +{grew:,.0f} MB over the "
              f"{before:,.0f} MB before  "
              f"{'met' if seconds < 60 else 'MISSED'} (< 60 s)")  # fmt: skip

    run("baseline: words only")
    run("words and meaning", embedder=embedder)
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
