"""Forms: they read and check what people type; the services decide what it means."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from paperfeed.search.selectors import MODES

SEARCH_MODES = [("hybrid", "Hybrid"), ("keyword", "Keyword"), ("semantic", "Semantic")]
assert {m for m, _ in SEARCH_MODES} == set(MODES)


class SignupForm(UserCreationForm):  # type: ignore[type-arg]
    email = forms.EmailField(
        help_text="For resetting your password. Never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email exists. Log in instead?")
        return email


class SubmitForm(forms.Form):
    paper = forms.CharField(
        label="arXiv id or URL",
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "placeholder": "2401.12345 or https://arxiv.org/abs/2401.12345",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),  # fmt: skip
    )


class CommentForm(forms.Form):
    # Length and emptiness are the service's rules (CommentError says what is wrong).
    body = forms.CharField(
        label="Comment",
        required=False,
        help_text="Markdown: **bold**, _italic_, `code`, [links](https://…), lists.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SearchForm(forms.Form):
    """The search page's GET parameters. Bad values are dropped with a note, never an error page:
    people edit URLs and paste odd things into search boxes."""

    q = forms.CharField(required=False, label="Search papers", strip=True)
    mode = forms.ChoiceField(choices=SEARCH_MODES, required=False, label="Mode")
    category = forms.CharField(
        required=False, max_length=40, label="Category",
        widget=forms.TextInput(attrs={"placeholder": "e.g. cs.LG", "spellcheck": "false"}),
    )  # fmt: skip
    after = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    code = forms.BooleanField(required=False, label="With code")
    page = forms.IntegerField(required=False, min_value=1, max_value=50)

    def params(self) -> tuple[SearchParams, list[str]]:
        """The values to search with, and a note for each value that was dropped."""
        self.is_valid()
        data = dict(getattr(self, "cleaned_data", {}))
        notes = []
        for name in self.errors:
            label = self.fields[name].label or name
            notes.append(f"{label} “{self.data.get(name, '')[:40]}” was not understood and ignored")
            data[name] = None
        params = SearchParams(
            q=data.get("q") or "",
            mode=data.get("mode") or "hybrid",
            category=data.get("category") or "",
            after=data.get("after"),
            before=data.get("before"),
            code=bool(data.get("code")),
            page=data.get("page") or 1,
        )
        return params, notes


@dataclass(frozen=True)
class SearchParams:
    q: str
    mode: str
    category: str
    after: date | None
    before: date | None
    code: bool  # only papers that name their own code repository
    page: int

    @property
    def has_filters(self) -> bool:
        return bool(self.category or self.after or self.before or self.code)

    @property
    def query_text(self) -> str:
        """The query with the filters written in the query language (for a saved search)."""
        parts = [self.q]
        if self.category:
            parts.append(f"cat:{self.category}")
        if self.after:
            parts.append(f"after:{self.after.isoformat()}")
        if self.before:
            parts.append(f"before:{self.before.isoformat()}")
        if self.code:
            parts.append("has:code")
        return " ".join(p for p in parts if p)


def error_messages(form: forms.BaseForm) -> list[str]:
    """The messages of a bound form's errors, field by field, as the form shows them (iterating
    an ErrorList gives the same strings, but django-stubs types its items as ValidationError)."""
    return [
        message
        for errors in form.errors.as_data().values()
        for error in errors
        for message in error.messages
    ]
