"""Digest benchmark: compose, render and send 100,000 digests to a loopback SMTP sink.

The catalogue: 3,000 synthetic papers published over the last two weeks in 12 categories, 40
of them featured on each day with upvotes (so the daily edition lists 10 top papers and the
weekly one 15, each with trending papers). Subscribers: `--subscribers` confirmed addresses
(default 100,000), 70% daily and 30% weekly; a third of them choose categories (one of 60
combinations), which gives them a personal "picked for you" section. The database is the
embedded default (SQLite in the workdir) unless DATABASE_URL names another.

The sink is an aiosmtpd server in its own process on 127.0.0.1 that counts messages and
discards them. The sender is `digest send`'s own code (paperfeed.digests.sending.Sender), in
two processes by default (`--senders N`; they claim deliveries from the same queue, as two
`paperfeed digest send` would).

Printed: messages/s over compose + deliveries + render + send; the sender's peak memory
(ru_maxrss); the CPU time per message of the senders and of the sink, which holds still when
neighbours load the machine (the 2 cores are shared, so wall-clock rates are noisy), and the
rate it allows on 2 idle cores; and the baseline from the same run: one pre-built 32 kB message
sent over smtplib to the same sink as fast as it goes (SMTP on loopback alone). `--scale` runs
the whole thing at 10,000 and at the full count in fresh processes, to show that memory stays
flat.

    python bench/digests.py [--subscribers 100000] [--senders 2] [--scale] [--workdir DIR]

Target (2 cores): >= 300 messages/s, memory flat as the subscriber count grows.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "math.OC", "physics.optics",
              "q-bio.NC", "eess.AS", "econ.EM", "hep-th", "astro-ph.GA"]  # fmt: skip


def sink(port: int, ready: multiprocessing.synchronize.Event, counter: object) -> None:
    import asyncio

    from aiosmtpd.controller import Controller

    class Discard:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            with counter.get_lock():  # type: ignore[attr-defined]
                counter.value += 1  # type: ignore[attr-defined]
            return "250 OK"

    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        asyncio.run(asyncio.sleep(10**6))
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup_django(workdir: Path, port: int) -> None:
    os.environ["PAPERFEED_HOME"] = str(workdir)
    os.environ["PAPERFEED_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["PAPERFEED_SITE_URL"] = "https://papers.example.org"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()


def build(subscribers: int) -> None:
    """The catalogue and the subscribers, in a fresh database."""
    import random
    from datetime import UTC, datetime, timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from paperfeed.community.models import Featured
    from paperfeed.community.trending import featured_refresh_all
    from paperfeed.digests.models import Subscription
    from paperfeed.lib.records import PaperRecord
    from paperfeed.papers.ingest import papers_upsert_batch
    from paperfeed.papers.models import Paper

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    today = timezone.localdate()
    words = ["sparse", "diffusion", "graph", "neural", "transformer", "protein", "weather",
             "scaling", "laws", "robust", "learning", "optimal", "transport", "attention",
             "retrieval", "agents", "planning", "vision", "speech", "language", "causal",
             "inference", "bayesian", "kernel"]  # fmt: skip
    records = []
    for n in range(3000):
        day = today - timedelta(days=n % 14)
        when = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
        title = " ".join(rng.choice(words) for _ in range(8)).capitalize()
        abstract = ". ".join(" ".join(rng.choice(words) for _ in range(14)).capitalize()
                             for _ in range(6)) + "."  # fmt: skip
        cats = rng.sample(CATEGORIES, 2)
        records.append(PaperRecord(
            arxiv_id=f"2699.{n:05d}", title=title, source="kaggle", abstract=abstract,
            authors=[f"Author {rng.randrange(5000)}" for _ in range(rng.randrange(1, 7))],
            categories=cats, version=1, published=when, updated=when,
        ))  # fmt: skip
    papers_upsert_batch(records=records)
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    featured = []
    for d in range(14):
        day = today - timedelta(days=d)
        for pid in rng.sample(ids, 40):
            upvotes = rng.randrange(1, 80)
            featured.append(Featured(paper_id=pid, featured_on=day, submitted_by="bench",
                                     source="hf-daily", source_upvotes=upvotes))  # fmt: skip
    Featured.objects.bulk_create(featured, ignore_conflicts=True)
    featured_refresh_all()
    combos = [" ".join(rng.sample(CATEGORIES, rng.randrange(1, 4))) for _ in range(60)]
    confirmed = timezone.now() - timedelta(days=30)
    batch = []
    for n in range(subscribers):
        batch.append(Subscription(
            email=f"reader{n}@example.org", frequency="daily" if n % 10 < 7 else "weekly",
            categories=combos[n % 60] if n % 3 == 0 else "", nonce="x", confirmed_at=confirmed,
        ))  # fmt: skip
        if len(batch) == 5000:
            Subscription.objects.bulk_create(batch)
            batch = []
    Subscription.objects.bulk_create(batch)


def baseline(port: int, count: int) -> float:
    """messages/s for one pre-built message over smtplib to the sink: SMTP alone."""
    import smtplib

    message = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\n"
               + (b"0123456789abcdef" * 4 + b"\r\n") * 480)  # fmt: skip
    client = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for n in range(count):
        client.sendmail("a@example.org", [f"reader{n}@example.org"], message)
    elapsed = time.perf_counter() - started
    client.quit()
    return count / elapsed


def send(workdir: Path, port: int) -> dict[str, float]:
    from paperfeed.digests.editions import default_day, edition_prepare
    from paperfeed.digests.sending import Sender

    started = time.perf_counter()
    deliveries = 0
    for frequency in ("daily", "weekly"):
        prepared = edition_prepare(frequency=frequency, day=default_day(frequency))
        deliveries += prepared.deliveries
    composed = time.perf_counter() - started
    summary = Sender(wait=False).run()
    elapsed = time.perf_counter() - started
    return {"deliveries": deliveries, "sent": summary.sent, "failed": summary.failed,
            "compose_s": composed, "seconds": elapsed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cpu_s": cpu_self()}  # fmt: skip


def child(args: argparse.Namespace) -> None:
    """One measured run in this (fresh) process: prints one JSON line."""
    setup_django(Path(args.workdir), args.port)
    if args.role == "build":
        build(args.subscribers)
        print(json.dumps({"built": args.subscribers}))
    elif args.role == "send":
        print(json.dumps(send(Path(args.workdir), args.port)))
    else:
        from paperfeed.digests.sending import Sender

        summary = Sender(wait=False).run()
        print(
            json.dumps(
                {
                    "sent": summary.sent,
                    "cpu_s": cpu_self(),
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
            )
        )


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_of(pid: int) -> float:
    """CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_child(role: str, workdir: Path, port: int, subscribers: int) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--child", role, "--workdir", str(workdir),
               "--port", str(port), "--subscribers", str(subscribers)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def measure(
    subscribers: int, senders: int, base: Path, port: int, sink_pid: int
) -> dict[str, float]:
    workdir = base / f"digests-{subscribers}"
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    started = time.perf_counter()
    out, _ = run_child("build", workdir, port, subscribers).communicate()
    print(
        f"  built {subscribers:,} subscribers in {time.perf_counter() - started:.0f} s", flush=True
    )
    load = os.getloadavg()
    sink_before = cpu_of(sink_pid)
    first = run_child("send", workdir, port, subscribers)
    time.sleep(1.0)  # the first sender composes; the others join it for the sending
    others = [run_child("help", workdir, port, subscribers) for _ in range(senders - 1)]
    result = json.loads(first.communicate()[0].strip().splitlines()[-1])
    extra = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in others]
    result["sent"] += sum(e["sent"] for e in extra)
    result["cpu_s"] += sum(e["cpu_s"] for e in extra)
    result["sink_cpu_s"] = cpu_of(sink_pid) - sink_before
    result["peak_rss_mb"] = max([result["peak_rss_mb"]] + [e["peak_rss_mb"] for e in extra])
    result["load_before"] = load[0]
    result["load_after"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--senders", type=int, default=2, help="senders at once (2 cores: 2)")
    parser.add_argument("--scale", action="store_true", help="also run at 10,000 (memory)")
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--child", choices=("build", "send", "help"))
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        args.role = args.child
        child(args)
        return
    port = free_port()
    ready, counter = multiprocessing.Event(), multiprocessing.Value("q", 0)
    server = multiprocessing.Process(target=sink, args=(port, ready, counter), daemon=True)
    server.start()
    ready.wait(10)
    try:
        print(f"SMTP sink on 127.0.0.1:{port}; {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
        rate = baseline(port, 3000)
        print(f"baseline (smtplib, one pre-built 32 kB message, same sink): {rate:,.0f} messages/s")
        sizes = [10_000, args.subscribers] if args.scale else [args.subscribers]
        for size in sizes:
            before = counter.value
            r = measure(size, args.senders, Path(args.workdir), port, server.pid or 0)
            received = counter.value - before
            rate = r["sent"] / r["seconds"]
            print(f"{size:,} subscribers, {args.senders} sender(s): {r['sent']:,} sent "
                  f"({received:,} received by the sink, {r['failed']} failed) in "
                  f"{r['seconds']:.1f} s = {rate:,.0f} messages/s (composing and creating "
                  f"{r['deliveries']:,} deliveries: {r['compose_s']:.1f} s); "
                  f"peak memory {r['peak_rss_mb']:.0f} MB; "
                  f"load average {r['load_before']:.2f} before, "
                  f"{r['load_after']:.2f} after")  # fmt: skip
            sender_ms = 1000 * r["cpu_s"] / max(r["sent"], 1)
            sink_ms = 1000 * r["sink_cpu_s"] / max(r["sent"], 1)
            print(f"  CPU per message: sender {sender_ms:.2f} ms (compose, render, SMTP "
                  f"client, database), sink {sink_ms:.2f} ms; on 2 idle cores that is at most "
                  f"{2000 / (sender_ms + sink_ms):,.0f} messages/s, and "
                  f"{1000 / sender_ms:,.0f} messages/s per core for the sender alone")  # fmt: skip
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
