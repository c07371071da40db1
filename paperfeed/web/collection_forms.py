"""The collections' forms: they read what people type; paperfeed.collections.services decides
what is allowed (lengths, names, who may change what) and says why not."""

from __future__ import annotations

from django import forms

from paperfeed.collections.models import Collection, CollectionItem, Visibility

TITLE_NEEDED = {"required": "Give the collection a title."}


class CollectionForm(forms.Form):
    title = forms.CharField(
        max_length=Collection.MAX_TITLE_LENGTH,
        error_messages=TITLE_NEEDED,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Reading group: diffusion models"}),
    )
    description = forms.CharField(
        required=False,
        max_length=Collection.MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        help_text="Unlisted and private collections never appear in lists; private ones only "
        "to you and your editors.",
    )


class NewCollectionForm(forms.Form):
    """The short form beside a paper: a title and who may see it."""

    title = forms.CharField(
        label="New collection",
        max_length=Collection.MAX_TITLE_LENGTH,
        error_messages=TITLE_NEEDED,
        widget=forms.TextInput(attrs={"placeholder": "Title"}),
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PUBLIC, required=False
    )

    def clean_visibility(self) -> str:
        return str(self.cleaned_data.get("visibility") or Visibility.PUBLIC)


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=CollectionItem.MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def first_error(form: forms.Form) -> str:
    """The form's first error, as a sentence to show in a message."""
    for errors in form.errors.values():
        return str(errors[0])
    return "The form could not be read."
