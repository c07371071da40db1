"""The Prometheus metrics a process records, defined once here so that every layer can record
them without importing another (search must not import ops). No Django.

Under `paperfeed serve`, PROMETHEUS_MULTIPROC_DIR is in the environment before any server process
imports prometheus_client, so each process writes its values to files in that folder and
/metrics adds them up (paperfeed/ops/metrics.py). Without it (tests, runserver, a one-off CLI
run) the values live in this process's default registry. Figures the database already holds
(digests sent, job runs) are not counted here: /metrics reads them when it is scraped.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "paperfeed_http_request_duration_seconds",
    "Time to answer an HTTP request, by view (URL name), method and status class.",
    ["view", "method", "status"],
)
SEARCH_SECONDS = Histogram(
    "paperfeed_search_duration_seconds",
    "Time to answer a search (web, API, feeds and CLI), by mode.",
    ["mode"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PAPERS_INGESTED = Counter(
    "paperfeed_papers_ingested",
    "Papers stored new or updated by committed import batches in this process.",
)
