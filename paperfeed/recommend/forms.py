"""Forms of the For-you pages: they read and check what people type; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from paperfeed.recommend.bibtex import MAX_BYTES
from paperfeed.recommend.models import Interest

WINDOWS = (("day", "Day"), ("week", "Week"), ("month", "Month"))
WINDOW_DAYS = {"day": 1, "week": 7, "month": 30}


class FollowForm(forms.Form):
    kind = forms.ChoiceField(choices=Interest.KINDS)
    text = forms.CharField(max_length=300, strip=True)


class ImportForm(forms.Form):
    ids = forms.CharField(
        label="arXiv ids or URLs",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "2401.12345\nhttps://arxiv.org/abs/2402.00001"}
        ),
    )
    bibtex = forms.FileField(label="or a BibTeX file", required=False)

    def clean_bibtex(self) -> str:
        upload = self.cleaned_data.get("bibtex")
        if not upload:
            return ""
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"That file is too large ({upload.size:,} bytes; at most {MAX_BYTES:,})."
            )
        raw = upload.read()
        try:
            return str(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return str(raw.decode("latin-1"))  # old .bib files; ids are ASCII either way

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("ids") or "").strip() and not data.get("bibtex"):
            raise forms.ValidationError("Paste some arXiv ids or choose a BibTeX file.")
        return data


def window_of(value: str | None) -> str:
    return value if value in WINDOW_DAYS else "week"
