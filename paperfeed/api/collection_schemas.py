"""The shapes of collections in the API, in Hugging Face's collections API shape
(`huggingface_hub.Collection` and `CollectionItem` read them), with paperfeed's own fields
beside them; collection_shapes.py builds them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import annotated_types
from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictBool
from pydantic_core import PydanticCustomError

from paperfeed.api.schemas import ARXIV_ID, NO_NUL, NOT_BLANK, Paper
from paperfeed.collections.models import Collection as CollectionModel
from paperfeed.collections.models import CollectionItem as ItemModel
from paperfeed.collections.models import Visibility

VisibilityName = Literal["public", "unlisted", "private"]
VISIBILITY_DOC = (
    "public: listed on the site and in the API; unlisted: readable by anyone with its address, "
    "never listed; private: only its owner and editors (anyone else gets 404, as for a "
    "collection that does not exist)."
)
LIST_ITEMS = 4  # the first papers of each collection in a list, as Hugging Face gives them


class Owner(Schema):
    """Who made the collection (Hugging Face's `owner` object)."""

    name: str = Field(..., description="The owner's user name.")
    fullname: str = Field(..., description="The name shown for the owner (the user name).")
    avatarUrl: str = Field("", description="Always empty: paperfeed keeps no avatars.")
    type: str = Field("user", description="Always 'user'.")


class Note(Schema):
    text: str = Field(..., description="The note about the paper, as plain text.")


class CollectionPaper(Paper):
    """A paper in a collection: Hugging Face's collection item (`_id`, `id`, `type`,
    `position`, `note`) with the paper's fields."""

    model_config = ConfigDict(populate_by_name=True)

    item_object_id: str = Field(
        ..., alias="_id", description="The item's number in the collection (for /items/{item})."
    )
    type: Literal["paper"] = Field("paper", description="Always 'paper'.")
    position: int = Field(..., description="Its place in the collection's order, 0 first.")
    note: Note | None = Field(None, description="The collection's note about it; null if none.")
    addedAt: datetime = Field(..., description="When it was added.")
    addedBy: str | None = Field(None, description="Who added it (null if they left the site).")


class CollectionListed(Schema):
    """A collection as lists give it: its first papers only (`numItems` counts them all)."""

    slug: str = Field(..., description="`owner/slug`: its address, /collections/{owner}/{slug}.")
    title: str = Field(..., description="The title.")
    description: str = Field("", description="The description, as plain text.")
    owner: Owner = Field(..., description="Who made it.")
    items: list[CollectionPaper] = Field(..., description="Its papers, in its order.")
    numItems: int = Field(..., description="How many papers it holds.")
    lastUpdated: datetime = Field(..., description="When its papers or details last changed.")
    createdAt: datetime = Field(..., description="When it was made.")
    private: bool = Field(..., description="Whether only its owner and editors can read it.")
    visibility: VisibilityName = Field(..., description=VISIBILITY_DOC)
    theme: str = Field("default", description="Always 'default' (kept for Hugging Face's shape).")
    upvotes: int = Field(..., description="Upvotes: one per user.")
    isUpvotedByUser: bool = Field(..., description="Whether you have upvoted it.")
    editors: list[str] = Field(..., description="The user names of its editors.")
    url: str = Field(..., description="Its page on this site.")


class CollectionOut(CollectionListed):
    """One collection with all its papers (GET /api/collections/{owner}/{slug})."""

    position: int = Field(..., description="Its place among its owner's collections, 0 first.")


class CollectionUpdated(Schema):
    """What PATCH answers: the collection under `data`, as Hugging Face's API does."""

    data: CollectionOut = Field(..., description="The collection as it is now.")


# What the API reads is a plain pydantic model, not a ninja Schema: a Schema reads attributes of
# whatever it is given, so that a bare JSON string "AAA" would be read as a collection titled
# "Aaa" (str.title); a model takes a JSON object alone. Booleans and numbers are strict: the
# schema says `true`, so 0 and "yes" are refused rather than read as one.


def _whole(value: Any) -> Any:
    """A JSON integer, which may be written 3.0 (JSON Schema's `integer`); never true or "3"."""
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a whole number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Position = Annotated[int, annotated_types.Ge(0), BeforeValidator(_whole)]
Title = Annotated[
    str,
    Field(max_length=CollectionModel.MAX_TITLE_LENGTH, json_schema_extra=NOT_BLANK,
          description="The title (not blank)."),
]  # fmt: skip
Description = Annotated[
    str,
    Field(max_length=CollectionModel.MAX_DESCRIPTION_LENGTH, json_schema_extra=NO_NUL,
          description="A description, as plain text."),
]  # fmt: skip
NoteText = Annotated[
    str,
    Field(max_length=ItemModel.MAX_NOTE_LENGTH, json_schema_extra=NO_NUL,
          description="A note about the paper, as plain text."),
]  # fmt: skip


class CollectionIn(BaseModel):
    title: Title
    description: Description = ""
    visibility: VisibilityName | None = Field(
        None, description=f"{VISIBILITY_DOC} Without it, `private` decides (public when false)."
    )
    private: StrictBool = Field(False, description="Hugging Face's flag: true makes it private.")
    namespace: str | None = Field(
        None, max_length=150,
        description="Hugging Face's owner field: your own user name, or left out.",
    )  # fmt: skip


class CollectionPatch(BaseModel):
    title: Title | None = Field(None, description="A new title (not blank); the slug stays.")
    description: Description | None = Field(None, description="A new description.")
    visibility: VisibilityName | None = Field(None, description=VISIBILITY_DOC)
    private: StrictBool | None = Field(
        None, description="Hugging Face's flag: true makes it private, false public."
    )


class ItemRef(BaseModel):
    """Hugging Face's way to name what to add."""

    id: str = Field(..., max_length=300, json_schema_extra=ARXIV_ID, description="An arXiv id.")
    type: Literal["paper"] = Field(..., description="Only papers can be collected here.")


class ItemIn(BaseModel):
    model_config = ConfigDict(
        # One of the two, and not null (null is "not given" for each field alone).
        json_schema_extra={
            "anyOf": [
                {"required": ["paper"], "properties": {"paper": {"type": "string"}}},
                {"required": ["item"], "properties": {"item": {"type": "object"}}},
            ]
        }
    )

    paper: str | None = Field(
        None, max_length=300, json_schema_extra=ARXIV_ID,
        description="The paper's arXiv id (2401.12345, hep-th/9901001, an arXiv URL...).",
    )  # fmt: skip
    item: ItemRef | None = Field(None, description="Or, as Hugging Face's API takes it.")
    note: NoteText = ""


class ItemPatch(BaseModel):
    note: NoteText | None = Field(None, description="A new note; empty removes it.")
    position: Position | None = Field(
        None, description="Move it here (0 is first; past the end is last)."
    )


class CollectionVoteOut(Schema):
    upvoted: bool = Field(..., description="Whether you upvote the collection now.")
    upvotes: int = Field(..., description="Its upvotes now.")


def visibility_of(*, visibility: str | None, private: bool | None) -> str | None:
    """The visibility a request asks for: `visibility` when given, else Hugging Face's flag."""
    if visibility is not None:
        return visibility
    if private is None:
        return None
    return Visibility.PRIVATE if private else Visibility.PUBLIC
