"""A day of new arXiv papers as a saved OAI-PMH response, and a loopback server that replays it.

bench/web.py's mixed workload runs while `paperfeed worker` harvests, embeds and indexes such a
day. The day is written once into the workdir, in arXivRaw (the format of the real recording in
tests/fixtures/oai-pmh/arxivraw/ListRecordsResponse.xml: same elements, namespaces and paging
with a resumptionToken, 1,000 records a page as arXiv sends them). Its papers are new ids of the
coming month, blended from the real cs papers of the sample as bench/search.py blends its
synthetic ones, so that the model embeds real-looking text and the keyword index gains real words.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import search as search_bench  # bench/search.py: the real papers and the blend

PER_PAGE = 1000
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ \
http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>{now}</responseDate>
<request verb="ListRecords" metadataPrefix="arXivRaw" set="cs">http://export.arxiv.org/oai2</request>
<ListRecords>
"""
RECORD = """<record>
<header>
 <identifier>oai:arXiv.org:{id}</identifier>
 <datestamp>{day}</datestamp>
 <setSpec>cs</setSpec>
</header>
<metadata>
 <arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://arxiv.org/OAI/arXivRaw/ http://arxiv.org/OAI/arXivRaw.xsd">
 <id>{id}</id><submitter>{submitter}</submitter><version version="v1"><date>{date}</date>\
<size>{size}kb</size></version><title>{title}</title><authors>{authors}</authors>\
<categories>{categories}</categories><comments>{pages} pages, {figures} figures</comments>\
<license>http://creativecommons.org/licenses/by/4.0/</license><abstract>  {abstract}
</abstract></arXivRaw>
</metadata>
</record>
"""


def day_id(n: int, now: datetime) -> str:
    """The n-th new id of next month (no paper of the collection uses it)."""
    month = now.replace(day=1) + timedelta(days=32)
    return f"{month:%y%m}.{n + 1:05d}"


def write_day(directory: Path, count: int, now: datetime, seed: int = 11) -> list[Path]:
    """Write `count` new cs papers as pages of a ListRecords response; return the pages."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    papers = [p for p in search_bench.real_papers() if p["categories"].split()[0].startswith("cs.")]
    by_category: dict[str, list[dict]] = {}
    for paper in papers:
        by_category.setdefault(paper["categories"].split()[0], []).append(paper)
    announced = (now - timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    records = []
    for n in range(count):
        base = rng.choice(papers)
        other = rng.choice(by_category[base["categories"].split()[0]])
        paper = search_bench._blend(rng, day_id(n, now), base, other)
        records.append(RECORD.format(
            id=paper["id"], day=f"{announced:%Y-%m-%d}", date=format_datetime(announced, True),
            submitter=escape(paper["authors"].split(", ")[0]), size=rng.randint(80, 9000),
            title=escape(paper["title"]), authors=escape(paper["authors"]),
            categories=escape(paper["categories"]), abstract=escape(paper["abstract"]),
            pages=rng.randint(6, 40), figures=rng.randint(1, 12),
        ))  # fmt: skip
    pages = []
    stamp = f"{now:%Y-%m-%dT%H:%M:%SZ}"
    for start in range(0, count, PER_PAGE):
        end = min(start + PER_PAGE, count)
        token = f"day|{end}" if end < count else ""
        tail = (f'<resumptionToken cursor="{start}" completeListSize="{count}">{token}'
                "</resumptionToken>")  # fmt: skip
        page = directory / f"ListRecords-{start // PER_PAGE + 1}.xml"
        page.write_text(HEAD.format(now=stamp) + "".join(records[start:end]) + tail
                        + "\n</ListRecords>\n</OAI-PMH>\n")  # fmt: skip
        pages.append(page)
    return pages


class OaiReplay:
    """Serves the saved pages on 127.0.0.1: ListRecords answers page 1, and each resumptionToken
    the page after it. Anything else is a 400, as arXiv answers a bad argument."""

    def __init__(self, pages: list[Path]) -> None:
        bodies = [page.read_bytes() for page in pages]
        self.requests: list[dict[str, list[str]]] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                query = parse_qs(urlsplit(self.path).query)
                replay.requests.append(query)
                token = query.get("resumptionToken", [""])[0]
                if query.get("verb") != ["ListRecords"]:
                    self.send_error(400, "badVerb")
                    return
                index = int(token.split("|")[1]) // PER_PAGE if token else 0
                if index >= len(bodies):
                    self.send_error(400, "badResumptionToken")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(bodies[index])))
                self.end_headers()
                self.wfile.write(bodies[index])

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oai"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OaiReplay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # write a day and list its pages
    import sys

    for written in write_day(Path(sys.argv[1]), int(sys.argv[2]), datetime.now(UTC)):
        print(written)
