"""paperfeed serve: the production web server (gunicorn), never Django's runserver."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

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

    def handle(self, *args: Any, **options: Any) -> None:
        # Collect with the hashed, compressed storage; the server processes started below see the
        # manifest and serve those names with far-future cache headers.
        storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
        with override_settings(STORAGES=storages):
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"paperfeed serving on http://{bind}/ with {options['workers']} workers")
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "paperfeed.wsgi:application",
            "--bind", bind, "--workers", str(options["workers"]),
            "--access-logfile", "-", "--timeout", "60",
        ]  # fmt: skip
        os.execv(sys.executable, argv)
