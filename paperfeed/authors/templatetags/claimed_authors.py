"""{% claimed_authors %}: the profile page's section listing the reader's author claims."""

from __future__ import annotations

from typing import Any

from django import template

from paperfeed.authors.selectors import claims_of

register = template.Library()


@register.inclusion_tag("authors/_profile_section.html", takes_context=True)
def claimed_authors(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"claims": claims_of(user=user), "csrf_token": context.get("csrf_token")}
