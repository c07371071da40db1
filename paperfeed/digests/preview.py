"""A digest as one subscriber would get it, for staff in the browser and `digest preview`."""

from __future__ import annotations

from datetime import date

from paperfeed.digests.editions import default_day, edition_content, edition_period
from paperfeed.digests.models import Edition, Subscription
from paperfeed.digests.picks import picks_for
from paperfeed.digests.rendering import DigestRenderer, RenderedEmail
from paperfeed.digests.services import unsubscribe_url


def digest_preview(
    *, email: str, frequency: str | None = None, day: date | None = None
) -> RenderedEmail:
    """The edition of the period holding `day` (default: the last complete one) rendered for
    the subscription of `email`, or for a stand-in when the address has none. An edition not
    composed yet is composed for the preview and not stored."""
    subscription = Subscription.objects.filter(email=email.strip().lower()).first()
    if subscription is None:
        subscription = Subscription(
            pk=0, email=email.strip().lower(), frequency=frequency or "daily"
        )
    frequency = frequency or subscription.frequency
    period = edition_period(frequency, day or default_day(frequency))
    edition = Edition.objects.filter(
        kind=Edition.DIGEST, frequency=frequency, period_start=period.start
    ).first()
    if edition is None:
        edition = Edition(frequency=frequency, period_start=period.start, period_end=period.end,
                          slug=period.slug, content=edition_content(frequency, period))  # fmt: skip
    renderer = DigestRenderer(edition)
    picks = picks_for(subscription=subscription, edition=edition)
    return renderer.render(email=subscription.email, unsubscribe_url=unsubscribe_url(subscription),
                           picks=picks)  # fmt: skip
