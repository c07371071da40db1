"""Queued digest work, run by `paperfeed worker` (django-tasks): the confirmation email leaves
the subscribe request at once and is sent from the queue, retried while the mail server fails."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from paperfeed.digests.models import Subscription

log = logging.getLogger(__name__)
CONFIRM_ATTEMPTS = 6


@task()
def confirmation_mail(*, subscription_id: int, token: str, frequency: str, attempt: int = 1) -> str:
    from paperfeed.digests.sending import TransientError
    from paperfeed.digests.services import confirmation_send

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
