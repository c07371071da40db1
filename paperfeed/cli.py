"""The `paperfeed` command: paperfeed's own verbs plus every Django management command."""

from __future__ import annotations

import os
import sys

# `paperfeed GROUP VERB ...` runs the management command GROUP_VERB.
GROUPS: dict[str, dict[str, str]] = {
    "ingest": {
        "snapshot": "ingest_snapshot",
        "arxiv": "ingest_arxiv",
        "oai": "ingest_oai",
        "hf-daily": "ingest_hf_daily",
        "hf-featured": "ingest_hf_featured",
        "paper": "ingest_paper",
    },
    "papers": {"show": "papers_show"},
    "vectors": {"export": "vectors_export", "import": "vectors_import"},
    "digest": {"send": "digest_send", "preview": "digest_preview"},
    "alerts": {
        "list": "alerts_list",
        "add": "alerts_add",
        "stop": "alerts_stop",
        "check": "alerts_check",
    },
}

USAGE = """usage: paperfeed COMMAND [options]

Catalog:
  ingest snapshot FILE              import the Kaggle arXiv snapshot (JSON lines, plain or .gz)
  ingest arxiv --category CAT       fetch the latest papers of categories from the arXiv API
  ingest oai --set SET              harvest arXiv over OAI-PMH (resumable)
  ingest hf-daily [--date D]        import Hugging Face daily papers (featured, upvotes)
  ingest hf-featured FILE           import a collection of featured papers with upvotes
  ingest paper ID_OR_URL            fetch and store one paper
  papers show ID                    print a stored paper
  stats [--json]                    what the catalog holds
  load_sample                       load the bundled sample when the database is empty

Search:
  index [--rebuild] [--no-embed]    update the keyword index, embeddings and vector index
  search "QUERY" [--mode M] [--limit N] [--json]
                                    hybrid (default), keyword or semantic search; QUERY takes
                                    "phrases", -words, author:"Name", cat:cs.LG, year:2025,
                                    after:2025-01-01, before:..., has:code, or an arXiv id
  similar ID [--limit N] [--json]   the papers nearest to one paper
  vectors export|import FILE        move stored embeddings between installations

Code and links:
  links                             what the papers link to: code, project pages, Hugging Face
  links --rebuild                   find every paper's links again (new papers get theirs as
                                    they are stored)
  links --refresh [--limit N]       ask GitHub for the stars, language and licence of the
                                    repositories that are due (PAPERFEED_GITHUB_TOKEN helps)

Alerts on saved searches:
  alerts add --user NAME "QUERY" [--name N] [--weekly] [--email] [--no-feed]
                                    save a search with an alert: its new papers by email
                                    (in the digest, or an alerts email) and a private feed
  alerts list [--user NAME] [--json]
                                    every alert, its channels and matches
  alerts stop --user NAME SEARCH_ID stop a saved search's alert
  alerts check                      match the papers that arrived since each alert's last run
                                    (the worker does this every 15 minutes)

Email digests:
  digest send [--period daily|weekly] [--date D]
                                    compose the editions and send every due digest, once
  digest preview --email ADDRESS [--period daily|weekly] [--date D] [--html]
                                    print a digest as that subscriber gets it

Operations:
  worker [--once] [--job NAME]      run the scheduled jobs (harvest, indexes, digests) and the
                                    queued tasks; --once runs what is due and exits (cron)
  worker status [--json]            every job's last run, next run, duration and last error
  backup DIR                        copy the database, secret key and a manifest into a new DIR
  restore DIR                       load a backup into an empty site, then rebuild the indexes

Serving:
  serve [--host H] [--port P] [--workers N]   run the production web server
  migrate, createsuperuser, ...     any Django management command

Every network source also takes --file PATH (a saved response). `paperfeed help COMMAND` or
`paperfeed COMMAND --help` shows a command's options."""


def translate(argv: list[str]) -> list[str] | None:
    """Map paperfeed's two-word verbs onto management commands; None means print usage."""
    if not argv or argv[0] in ("-h", "--help"):
        return None
    if argv[0] == "help" and len(argv) > 1:  # paperfeed help ingest snapshot
        named = translate(argv[1:])
        return None if named is None else ["help", named[0]]
    group = GROUPS.get(argv[0])
    if group is None:
        return argv
    if len(argv) < 2 or argv[1] not in group:
        return None
    return [group[argv[1]], *argv[2:]]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    args = translate(list(sys.argv[1:] if argv is None else argv))
    if args is None:
        print(USAGE)
        given = sys.argv[1:] if argv is None else argv
        sys.exit(0 if not given or given[0] in ("-h", "--help") else 2)
    from paperfeed.env import SettingError, paperfeed_home

    if args[:1] == ["worker"] and "status" not in args[1:2]:
        # What the worker counts (papers ingested) joins the servers' figures at /metrics:
        # prometheus_client reads this folder setting when it is first imported.
        folder = paperfeed_home() / "metrics"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(folder))

    try:
        from django.core.management import execute_from_command_line
        from django.db import DatabaseError

        execute_from_command_line(["paperfeed", *args])
    except BrokenPipeError:  # output piped into `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except SettingError as exc:
        print(f"paperfeed: bad setting: {exc}", file=sys.stderr)
        sys.exit(2)
    except DatabaseError as exc:
        print(f"paperfeed: database error: {exc}", file=sys.stderr)
        if "no such table" in str(exc) or "does not exist" in str(exc):
            print("a new installation needs `paperfeed migrate` first", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
