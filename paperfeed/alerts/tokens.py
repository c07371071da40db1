"""Signed tokens for the "stop emailing this alert" links in messages. They never expire: an
alert read a year later must still let its reader stop it, without logging in."""

from __future__ import annotations

from django.core import signing

STOP_SALT = "paperfeed.alerts.stop"


class StopTokenError(ValueError):
    """A forged or damaged link."""


def stop_token(alert_ids: list[int]) -> str:
    """A token naming the alerts a link stops (one alert, or every alert of one message)."""
    return signing.dumps(sorted(set(alert_ids)), salt=STOP_SALT, compress=True)


def stop_token_read(token: str) -> list[int]:
    try:
        data = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        raise StopTokenError("This link to stop an alert is not valid.") from None
    if not isinstance(data, list) or not data or not all(isinstance(i, int) for i in data):
        raise StopTokenError("This link to stop an alert is not valid.")
    return [int(i) for i in data]
