"""Settings from environment variables, read by small helpers that fail loudly on bad values."""

from __future__ import annotations

import os
import time
from pathlib import Path


class SettingError(Exception):
    pass


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingError(f"{name}={value!r} is not a boolean; use true or false")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={value!r} must be at least {minimum}")
    return number


def envfloat(name: str, default: float, *, minimum: float | None = None) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingError(f"{name}={value!r} is not a number") from None
    if number != number:
        raise SettingError(f"{name}={value!r} is not a number")
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={value!r} must be at least {minimum}")
    return number


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise SettingError(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def envcron(name: str, default: str) -> str:
    """A cron expression (minute hour day-of-month month day-of-week), e.g. `30 20 * * 0-4`."""
    from datetime import datetime

    from cronsim import CronSim, CronSimError

    value = " ".join((os.environ.get(name) or default).split())
    try:
        CronSim(value, datetime(2026, 1, 1))
    except CronSimError as exc:
        raise SettingError(
            f"{name}={value!r} is not a schedule ({exc}); use five cron fields, "
            "e.g. '30 20 * * 0-4' for 20:30 Sunday to Thursday"
        ) from None
    return value


def paperfeed_home() -> Path:
    """Where all state lives: database, indexes, outbox. PAPERFEED_HOME, default ./var."""
    return Path(os.environ.get("PAPERFEED_HOME") or "var").resolve()


def envzone(name: str, default: str) -> str:
    """An IANA time zone name, e.g. Europe/Paris."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = os.environ.get(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(
            f"{name}={value!r} is not a time zone; use a name like Europe/Paris"
        ) from None
    return value


def secret_key_file(path: Path) -> str:
    """The key stored at `path`, created on first use. Created with O_EXCL, so that two processes
    starting at once for the first time still agree on one key."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    for _ in range(50):  # another process may be between creating and writing it
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise SettingError(f"{path} is empty; delete it and start again")
