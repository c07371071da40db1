"""Queued digest work, run by `paperfeed worker` (django-tasks): the confirmation email leaves
the subscribe request at once and is sent from the queue, retried while the mail server fails."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from paperfeed.digests.models import Subscription
from paperfeed.digests.rendering import absolute, message_id, mime_build, render_email
from paperfeed.digests.transports import TransientError, transport_open

log = logging.getLogger(__name__)
CONFIRM_ATTEMPTS = 6


@task()
def confirmation_mail(*, subscription_id: int, token: str, frequency: str, attempt: int = 1) -> str:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return "the subscription is gone"
    try:
        confirmation_send(subscription=subscription, token=token, frequency=frequency)
    except TransientError as exc:
        if attempt >= CONFIRM_ATTEMPTS:
            raise
        wait = timedelta(seconds=max(settings.DIGEST_BACKOFF_SECONDS, 1) * 2 ** (attempt - 1))
        confirmation_mail.using(run_after=timezone.now() + wait).enqueue(
            subscription_id=subscription_id, token=token, frequency=frequency, attempt=attempt + 1
        )
        log.warning("confirmation to subscription %s not sent (%s); retrying in %s",
                    subscription_id, exc, wait)  # fmt: skip
        return f"retrying: {exc}"
    return "sent"


def confirmation_send(*, subscription: Subscription, token: str, frequency: str) -> None:
    link = absolute(reverse("digest_confirm", args=[token]))
    rendered = render_email(
        "confirm",
        {"confirm_url": link, "frequency": frequency, "email": subscription.email,
         "already": subscription.is_active, "confirm_days": settings.DIGEST_CONFIRM_DAYS},
    )  # fmt: skip
    msg_id = message_id(f"confirm.{subscription.pk}.{secrets.token_hex(6)}")
    data = mime_build(to=subscription.email, subject=rendered.subject, text=rendered.text,
                      html=rendered.html, msg_id=msg_id)  # fmt: skip
    with transport_open() as transport:
        transport.send(subscription.email, data, key=msg_id)
