"""The subscribe form: an address, daily or weekly, optional arXiv categories."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import validate_email

from paperfeed.digests.models import FREQUENCY_CHOICES
from paperfeed.search.query import category_canonical

MAX_EMAIL = 254  # RFC 5321's limit on a path
MAX_CATEGORIES = 10


def email_clean(value: str) -> str:
    """A deliverable-looking address, lower-cased; ValidationError says what is wrong. Line
    breaks and other control characters are refused before anything else looks at it."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise forms.ValidationError(
            "An email address cannot hold line breaks or control characters."
        )
    email = value.strip()
    if not email:
        raise forms.ValidationError("Enter your email address.")
    if len(email) > MAX_EMAIL:
        raise forms.ValidationError(f"That address is too long (at most {MAX_EMAIL} characters).")
    try:
        validate_email(email)
    except forms.ValidationError:
        raise forms.ValidationError(
            "That is not an email address; it should look like name@example.org."
        ) from None
    return email.lower()


def categories_clean(value: str) -> str:
    """Space- or comma-separated categories, de-duplicated, in the order given."""
    seen: list[str] = []
    for part in re.split(r"[\s,]+", value.strip()):
        if not part:
            continue
        canonical = category_canonical(part) if len(part) <= 30 else None
        if canonical is None:
            shown = part if len(part) <= 30 else part[:27] + "..."
            raise forms.ValidationError(
                f"'{shown}' is not an arXiv category (e.g. cs.LG, math.AG or hep-th)."
            )
        if canonical not in seen:
            seen.append(canonical)
    if len(seen) > MAX_CATEGORIES:
        raise forms.ValidationError(f"Choose at most {MAX_CATEGORIES} categories.")
    return " ".join(seen)


class SubscribeForm(forms.Form):
    # A CharField, not an EmailField: email_clean gives clearer messages for each mistake.
    email = forms.CharField(
        label="Email",
        max_length=1000,
        strip=False,
        error_messages={"required": "Enter your email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@example.org"}),
    )
    frequency = forms.ChoiceField(
        label="How often", choices=FREQUENCY_CHOICES, initial="daily", widget=forms.RadioSelect
    )
    categories = forms.CharField(
        label="Categories (optional)",
        required=False,
        max_length=300,
        help_text="arXiv categories for “picked for you”, e.g. cs.LG cs.CL",
        widget=forms.TextInput(attrs={"placeholder": "cs.LG cs.CL", "spellcheck": "false"}),
    )

    def clean_email(self) -> str:
        return email_clean(self.cleaned_data["email"])

    def clean_categories(self) -> str:
        return categories_clean(self.cleaned_data.get("categories") or "")


class PreferencesForm(forms.Form):
    """A confirmed subscriber changing frequency or categories from the profile page."""

    frequency = SubscribeForm.base_fields["frequency"]
    categories = SubscribeForm.base_fields["categories"]

    def clean_categories(self) -> str:
        return categories_clean(self.cleaned_data.get("categories") or "")
