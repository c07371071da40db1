"""Backups: a consistent copy of the database, the secret key and a manifest, taken while the site
serves and writes; and restoring one into an empty home or database.

A backup folder holds `paperfeed.db` (SQLite) or `paperfeed.dump` (pg_dump's custom format),
`secret_key` when the key lives in a file, and `manifest.json`: version, date, engine, counts of
the main tables, applied migrations, the embedding model and the sha256 of every file. Search
indexes are derived data and are not copied; after a restore `paperfeed restore` rebuilds them
from the database and its stored vectors.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.db.models import Model

import paperfeed
from paperfeed.community.models import Comment, Featured, Vote
from paperfeed.digests.models import Delivery, Subscription
from paperfeed.papers.models import Paper
from paperfeed.search.indexing import model_key
from paperfeed.search.models import PaperVector

Progress = Callable[[str, int, int], None]  # (stage, bytes done, bytes in all); 0 in all: unknown

FORMAT = 1
MANIFEST = "manifest.json"
DB_FILES = {"sqlite": "paperfeed.db", "postgresql": "paperfeed.dump"}
KEY_FILE = "secret_key"
# Pages copied per step of SQLite's backup API (4 MiB at the default page size): each step
# reports progress; the copy reads one snapshot throughout (see _sqlite_backup).
STEP_PAGES = 1024
CHUNK = 1 << 20


class BackupError(Exception):
    """Something the person running the command can fix; the message says what."""


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def counted_tables() -> dict[str, str]:
    """The tables a manifest counts, by the name it shows them under."""
    models: dict[str, type[Model]] = {
        "papers": Paper, "featured": Featured, "votes": Vote, "comments": Comment,
        "subscriptions": Subscription, "deliveries": Delivery, "users": get_user_model(),
        "paper_vectors": PaperVector,
    }  # fmt: skip
    return {name: model._meta.db_table for name, model in models.items()}


def table_counts(cursor: Any, *, only: set[str] | None = None) -> dict[str, int]:
    """Rows in each counted table (those in `only`, when given), read through a DB-API cursor:
    sqlite3's or Django's."""
    counts = {}
    for name, table in counted_tables().items():
        if only is None or table in only:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[name] = int(cursor.fetchone()[0])
    return counts


def applied_migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def database_engine() -> str:
    engine = str(settings.DATABASES["default"]["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups cover SQLite and PostgreSQL databases, not {engine}")


# Taking a backup


def backup_create(*, target: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write a backup of this site into `target`, which must be absent or empty. All or nothing:
    it is written into a temporary folder beside `target`, renamed at the end. Returns the
    manifest."""
    progress = progress or _quiet
    target = Path(target).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(
            f"{target} is not an empty folder; a backup never overwrites anything: "
            "name a new folder"
        )
    engine = database_engine()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        )
    except OSError as exc:
        raise BackupError(f"cannot write beside {target}: {exc}") from None
    try:
        try:
            manifest = _backup_into(work, engine=engine, progress=progress)
        except OSError as exc:  # a full disk, a key file that cannot be read
            raise BackupError(f"could not write the backup: {exc}") from None
        try:
            os.rename(work, target)  # replaces an empty folder, fails on a filled one
        except OSError as exc:
            raise BackupError(
                f"could not move the backup into {target} ({exc.strerror}); "
                "it was filled or removed while the backup ran"
            ) from None
        _fsync(target.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _backup_into(work: Path, *, engine: str, progress: Progress) -> dict[str, Any]:
    db_file = DB_FILES[engine]
    if engine == "sqlite":
        counts, migrations = _sqlite_backup(work / db_file, progress=progress)
    else:
        counts, migrations = _pg_backup(work / db_file, progress=progress)
    if os.environ.get("PAPERFEED_SECRET_KEY"):
        note = "PAPERFEED_SECRET_KEY comes from the environment and is not copied: set it on the "
        key: dict[str, str] = {"source": "environment", "note": note + "restored site too"}
    else:
        _copy(settings.HOME / KEY_FILE, work / KEY_FILE)
        key = {"source": "file", "file": KEY_FILE}
    names = [db_file, *([KEY_FILE] if "file" in key else [])]
    manifest = {
        "format": FORMAT,
        "paperfeed_version": paperfeed.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"engine": engine, "file": db_file},
        "counts": counts,
        "embedding_model": model_key(settings.EMBEDDING_MODEL),
        "secret_key": key,
        "migrations": migrations,
        "files": {name: _file_entry(work / name, progress) for name in names},
    }
    path = work / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    _fsync(path)
    _fsync(work)
    return manifest


def _sqlite_backup(dest: Path, *, progress: Progress) -> tuple[dict[str, int], list[str]]:
    name = str(settings.DATABASES["default"]["NAME"])
    if not name or name == ":memory:" or not Path(name).is_file():
        raise BackupError(f"there is no database at {name} to back up")
    source = sqlite3.connect(name, isolation_level=None, timeout=30)
    copy = sqlite3.connect(dest, isolation_level=None)
    try:
        # A read transaction held for the whole copy: in WAL mode it sees one snapshot, so every
        # step copies pages of the same moment, and writers go on (only checkpoints wait until
        # the end). Without it, any write between two steps would restart the copy, endlessly
        # on a busy site.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot begins
        page = source.execute("PRAGMA page_size").fetchone()[0]
        source.backup(
            copy,
            pages=STEP_PAGES,
            progress=lambda _, left, total: progress(
                "database", (total - left) * page, total * page
            ),
        )
        source.execute("COMMIT")
        # The copy stands alone, one file with no WAL beside it (a restored site turns WAL on).
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy of {name} fails SQLite's check: {check}")
        cursor = copy.cursor()
        counts, migrations = table_counts(cursor), applied_migrations(cursor)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise BackupError(f"{name} is not a migrated paperfeed database ({exc})") from None
        raise BackupError(f"could not copy {name}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"could not copy {name}: {exc}") from None
    finally:
        copy.close()
        source.close()
    _fsync(dest)
    return counts, migrations


def _pg_backup(dest: Path, *, progress: Progress) -> tuple[dict[str, int], list[str]]:
    pg_dump = pg_tool("pg_dump")
    connection.ensure_connection()  # connected outside the transaction below
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump runs in a snapshot exported by this transaction, so the counts read here are
        # exactly those of the dump, however many writes go on meanwhile.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts, migrations = table_counts(cursor), applied_migrations(cursor)
        progress("database", 0, 0)
        argv = [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}"]
        _run([*argv, f"--file={dest}"])
    _fsync(dest)
    return counts, migrations


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest in /usr/lib/postgresql/*/bin (Debian)."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> int:
        part = Path(path).parents[1].name
        return int(part) if part.isdigit() else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin; install "
        "PostgreSQL's client programs (apt-get install postgresql-client)"
    )


def pg_env() -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the connection of settings, the password in
    PGPASSWORD (never on a command line, where any user of the host can read it)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    names = {
        "PGHOST": "HOST",
        "PGPORT": "PORT",
        "PGUSER": "USER",
        "PGPASSWORD": "PASSWORD",
        "PGDATABASE": "NAME",
    }
    for var, key in names.items():
        if db.get(key):
            env[var] = str(db[key])
    options = db.get("OPTIONS")
    if isinstance(options, dict) and options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(argv: list[str]) -> None:
    program = Path(argv[0]).name
    try:
        done = subprocess.run(argv, env=pg_env(), capture_output=True, text=True)
    except OSError as exc:
        raise BackupError(f"could not run {argv[0]}: {exc}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) or f"exit status {done.returncode}"
        raise BackupError(f"{program} failed: {detail}")


# Files


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy(source: Path, dest: Path, progress: Progress = _quiet) -> None:
    total, done = source.stat().st_size, 0
    with source.open("rb") as reader, dest.open("wb") as writer:
        os.chmod(dest, 0o600)
        while chunk := reader.read(CHUNK):
            writer.write(chunk)
            done += len(chunk)
            progress(f"copy {source.name}", done, total)
        writer.flush()
        os.fsync(writer.fileno())


def _file_entry(path: Path, progress: Progress) -> dict[str, Any]:
    return {"sha256": _sha256(path, progress), "bytes": path.stat().st_size}


def _sha256(path: Path, progress: Progress) -> str:
    digest, total, done = hashlib.sha256(), path.stat().st_size, 0
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            progress(f"sha256 {path.name}", done, total)
    return digest.hexdigest()


# Restoring


def manifest_read(source: Path) -> dict[str, Any]:
    """The manifest of the backup in `source`, checked for shape (not yet for checksums)."""
    if not source.is_dir():
        raise BackupError(f"{source} does not exist or is not a folder")
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} is not a paperfeed backup: it has no {MANIFEST}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not valid JSON ({exc}); the backup is damaged") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise BackupError(f"{path} is not a usable backup manifest: {problem}")
    return manifest


def _manifest_problem(manifest: Any) -> str | None:
    if not isinstance(manifest, dict):
        return "not a JSON object"
    if manifest.get("format") != FORMAT:
        return f"format {manifest.get('format')!r}, where this paperfeed reads format {FORMAT}"
    files, database = manifest.get("files"), manifest.get("database")
    if not isinstance(files, dict) or not all(
        isinstance(e, dict) and isinstance(e.get("sha256"), str) and Path(n).name == n
        for n, e in files.items()
    ):
        return "no list of files with their sha256"
    if not isinstance(database, dict) or database.get("engine") not in DB_FILES:
        return "no database engine (sqlite or postgresql)"
    if database.get("file") not in files:
        return "the database file is not among its files"
    if not isinstance(manifest.get("counts"), dict):
        return "no counts"
    if not isinstance(manifest.get("migrations"), list):
        return "no list of migrations"
    key = manifest.get("secret_key")
    if not isinstance(key, dict) or ("file" in key and key["file"] not in files):
        return "no secret key entry, or a key file that is not among its files"
    return None


def backup_verify(source: Path, manifest: dict[str, Any], progress: Progress = _quiet) -> None:
    for name, entry in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"{path} is missing; the backup is incomplete")
        if _sha256(path, progress) != entry["sha256"]:
            raise BackupError(
                f"checksum mismatch for {path}: the backup is damaged or was changed "
                "after it was made; nothing was restored"
            )


def backup_restore(*, source: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Check the backup in `source` and load it into this site's database, which must hold no
    papers, users or other counted rows, and restore the secret key file. Returns the manifest.
    Nothing is changed unless every check passes. The caller then migrates and rebuilds the
    search indexes."""
    progress = progress or _quiet
    source = Path(source).absolute()
    manifest = manifest_read(source)
    backup_verify(source, manifest, progress)
    engine, made_on = database_engine(), manifest["database"]["engine"]
    if engine != made_on:
        raise BackupError(
            f"this is a backup of a {made_on} database and this site uses "
            f"{engine}; restoring across engines is not supported: restore with "
            f"the same engine ({_engine_hint(made_on)})"
        )
    _check_migrations_known(manifest)
    db_file = source / manifest["database"]["file"]
    if engine == "sqlite":
        _sqlite_restore(db_file, progress=progress)
    else:
        _pg_restore(db_file, manifest=manifest)
    if manifest["secret_key"].get("file"):
        key = settings.HOME / KEY_FILE
        temporary = key.with_name(f".{KEY_FILE}.restoring")
        _copy(source / manifest["secret_key"]["file"], temporary)
        os.replace(temporary, key)
    return manifest


def _engine_hint(engine: str) -> str:
    if engine == "sqlite":
        return "unset DATABASE_URL"
    return "set DATABASE_URL=postgres://... to a new empty database"


def _check_migrations_known(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = sorted(set(manifest["migrations"]) - {f"{app}.{name}" for app, name in disk})
    if unknown:
        raise BackupError(
            f"this backup comes from a newer paperfeed ({len(unknown)} migrations "
            f"this version lacks, e.g. {unknown[0]}); upgrade paperfeed, then "
            "restore"
        )


def _refuse_if_holding(counts: dict[str, int], where: str) -> None:
    held = {name: n for name, n in counts.items() if n}
    if held:
        what = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in held.items())
        raise BackupError(
            f"{where} already holds {what}; restore only into an empty home or "
            "database (nothing was changed)"
        )


def _sqlite_restore(dump: Path, *, progress: Progress) -> None:
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    connections.close_all()
    if target.exists():
        db = sqlite3.connect(target)
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            counts = table_counts(db.cursor(), only=tables)
        except sqlite3.DatabaseError as exc:
            raise BackupError(
                f"{target} is not a database this restore can check ({exc}); "
                "move it away and restore again"
            ) from None
        finally:
            db.close()
        _refuse_if_holding(counts, f"the database {target}")
    temporary = target.with_name(f".{target.name}.restoring")
    _copy(dump, temporary, progress)
    # The log of the empty database this one replaces must not be replayed into it.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(temporary, target)
    _fsync(target.parent)


def _pg_restore(dump: Path, *, manifest: dict[str, Any]) -> None:
    pg_restore = pg_tool("pg_restore")
    name = settings.DATABASES["default"]["NAME"]
    tables = set(connection.introspection.table_names())
    flags = []
    if tables:
        with connection.cursor() as cursor:
            _refuse_if_holding(table_counts(cursor, only=tables), f"database {name}")
            if "django_migrations" not in tables:
                raise BackupError(
                    f"database {name} holds tables that are not paperfeed's; "
                    "restore into a new empty database"
                )
            newer = sorted(set(applied_migrations(cursor)) - set(manifest["migrations"]))
        if newer:
            raise BackupError(
                f"database {name} was migrated by a newer paperfeed than the "
                f"backup's (e.g. {newer[0]}); restore into a new empty database"
            )
        flags = ["--clean", "--if-exists"]  # migrated but empty: the backup's tables replace it
    connections.close_all()
    argv = [pg_restore, "--no-owner", "--single-transaction", "--no-password", *flags]
    _run([*argv, f"--dbname={name}", str(dump)])


def current_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return table_counts(cursor)
