"""paperfeed serve: the production web server (gunicorn), never Django's runserver."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from paperfeed.ops.metrics import MULTIPROC_ENV, metrics_dir

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


class Command(BaseCommand):
    help = "Serve paperfeed with gunicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("PAPERFEED_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PAPERFEED_PORT", 8000)))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("PAPERFEED_WORKERS", 2)),
            help="worker processes (default 2)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("PAPERFEED_THREADS", 1)),
            help="threads per worker process (default 1: one request at a time per process; "
            "more runs gunicorn's threaded workers)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Collect with the hashed, compressed storage; the server processes started below see the
        # manifest and serve those names with far-future cache headers.
        storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
        with override_settings(STORAGES=storages):
            call_command("collectstatic", interactive=False, verbosity=0)
        metrics_prepare()
        bind = f"{options['host']}:{options['port']}"
        threads = max(1, options["threads"])
        self.stdout.write(
            f"paperfeed serving on http://{bind}/ with {options['workers']} workers"
            + (f" of {threads} threads" if threads > 1 else "")
        )
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "paperfeed.wsgi:application",
            "--bind", bind, "--workers", str(options["workers"]), "--threads", str(threads),
            "--access-logfile", "-", "--timeout", "60",
            "-c", "python:paperfeed.ops.gunicorn_conf",
        ]  # fmt: skip
        os.execv(sys.executable, argv)


def metrics_prepare() -> None:
    """Point the server processes at a folder for their metrics (prometheus_client's
    multiprocess mode): set in the environment before gunicorn starts, so it is there before
    any of them imports prometheus_client. The files of processes that have exited are removed;
    those of a process still running (another server or a worker on the same home) are kept."""
    folder = Path(os.environ.get(MULTIPROC_ENV) or metrics_dir())
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.db"):
        pid = path.stem.rpartition("_")[2]
        if not (pid.isdigit() and _running(int(pid))):
            path.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
