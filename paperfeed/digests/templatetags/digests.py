"""{% digest_settings %}: the profile page's section for the reader's digest subscription."""

from __future__ import annotations

from typing import Any

from django import template

from paperfeed.digests.forms import PreferencesForm, SubscribeForm
from paperfeed.digests.services import subscription_of

register = template.Library()


@register.inclusion_tag("digests/_profile_section.html", takes_context=True)
def digest_settings(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    subscription = subscription_of(user=user)
    active = subscription is not None and subscription.is_active
    if active:
        form: Any = PreferencesForm(initial={"frequency": subscription.frequency,  # type: ignore[union-attr]
                                             "categories": subscription.categories})  # type: ignore[union-attr]  # fmt: skip
    else:
        form = SubscribeForm(initial={"email": user.email})
    return {"subscription": subscription, "active": active, "form": form,
            "csrf_token": context.get("csrf_token")}  # fmt: skip
