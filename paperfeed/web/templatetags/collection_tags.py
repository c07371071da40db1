"""{% your_collections %}: the profile page's section listing the reader's collections (their
own and those they edit), so that the profile view needs to know nothing about collections."""

from __future__ import annotations

from typing import Any

from django import template

from paperfeed.collections.selectors import collections_editable

register = template.Library()


@register.inclusion_tag("web/collection_profile.html", takes_context=True)
def your_collections(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"collections": collections_editable(user=user), "user": user}
