"""Writes to collections. Every rule lives here: who may change what (the owner: details,
visibility, editors, deletion; editors too: papers, their order and notes), lengths, limits.

A user who cannot read the collection gets the same Http404 as for one that does not exist; a
reader who may not change it gets PermissionDenied (403) with a message that says who can.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from paperfeed.collections.models import (
    AnyUser,
    Collection,
    CollectionEditor,
    CollectionItem,
    CollectionVote,
    Visibility,
)
from paperfeed.collections.selectors import not_found
from paperfeed.papers.models import Paper

MAX_COLLECTIONS = 200  # per owner
MAX_ITEMS = 1000  # per collection
MAX_EDITORS = 50  # per collection
LOGIN_NEEDED = "Log in to make and edit collections."
EDITORS_ONLY = "Only the owner and editors of this collection can change its papers."
OWNER_ONLY = "Only the owner of this collection can change its details, editors or delete it."


class CollectionError(ValueError):
    """A change that cannot be made; the message says why, fit to show."""


class AlreadyInCollection(CollectionError):
    """The paper is in the collection already."""


class LimitReached(CollectionError):
    """A limit on collections, papers or editors is reached."""


class NotAnEditor(CollectionError):
    """The user named cannot be an editor: the owner (or, UnknownUser, no one by that name)."""


class UnknownUser(NotAnEditor):
    """There is no (active) user by that name."""


@dataclass(frozen=True)
class VoteState:
    upvoted: bool
    upvotes: int


def _login(user: AnyUser | None) -> User:
    if user is None or not user.is_authenticated:
        raise PermissionDenied(LOGIN_NEEDED)
    return user


def may_edit(*, user: AnyUser | None, collection: Collection) -> User:
    """The user, when they may change the collection's papers; otherwise the 404 of a missing
    collection (they cannot see it) or PermissionDenied (they can)."""
    person = _login(user)
    if not collection.editable_by(person):
        if not collection.readable_by(person):
            raise not_found(collection.owner.get_username(), collection.slug)
        raise PermissionDenied(EDITORS_ONLY)
    return person


def must_own(*, user: AnyUser | None, collection: Collection) -> User:
    """The user, when they own the collection; otherwise as `may_edit` refuses."""
    person = _login(user)
    if not collection.owned_by(person):
        if not collection.readable_by(person):
            raise not_found(collection.owner.get_username(), collection.slug)
        raise PermissionDenied(OWNER_ONLY)
    return person


def _text(value: str, *, field: str, limit: int, blank: bool) -> str:
    """The text trimmed; a NUL is refused, as everywhere on the site (PostgreSQL cannot store
    one)."""
    value = (value or "").strip()
    if "\x00" in value:
        raise CollectionError(f"The {field} cannot hold a NUL character.")
    if not value and not blank:
        raise CollectionError(f"The {field} cannot be empty.")
    if len(value) > limit:
        raise CollectionError(
            f"The {field} is too long ({len(value):,} characters; at most {limit:,})."
        )
    return value


def _title(value: str) -> str:
    return " ".join(
        _text(value, field="title", limit=Collection.MAX_TITLE_LENGTH, blank=False).split()
    )


def _visibility(value: str) -> str:
    if value not in Visibility.values:
        raise CollectionError(
            f"Visibility is one of {', '.join(Visibility.values)}, not “{value[:20]}”."
        )
    return value


def _free_slug(owner: User, title: str) -> str:
    """A slug from the title that the owner does not use yet: `reading-group`, then
    `reading-group-2`, ... (`collection` when the title has no letters or digits to keep)."""
    base = slugify(title)[: Collection.MAX_SLUG_LENGTH - 4].strip("-") or "collection"
    taken = set(
        Collection.objects.filter(owner=owner, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def collection_create(
    *, user: AnyUser | None, title: str, description: str = "", visibility: str = Visibility.PUBLIC
) -> Collection:
    """Make a collection owned by the user, at a slug made from its title."""
    owner = _login(user)
    title = _title(title)
    description = _text(
        description, field="description", limit=Collection.MAX_DESCRIPTION_LENGTH, blank=True
    )
    visibility = _visibility(visibility)
    with transaction.atomic():
        if Collection.objects.filter(owner=owner).count() >= MAX_COLLECTIONS:
            raise LimitReached(
                f"You already have {MAX_COLLECTIONS} collections; delete one to make another."
            )
        # Two requests at once may pick the same slug: the unique constraint refuses the second,
        # which tries again with the slug that is now taken counted.
        for _ in range(3):
            try:
                with transaction.atomic():
                    return Collection.objects.create(
                        owner=owner, slug=_free_slug(owner, title), title=title,
                        description=description, visibility=visibility,
                    )  # fmt: skip
            except IntegrityError:
                continue
    raise CollectionError("That collection could not be made just now; try again.")


def collection_update(
    *,
    user: AnyUser | None,
    collection: Collection,
    title: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
) -> Collection:
    """Change the title, description or visibility (the owner alone). The slug, and so the
    collection's address, stays."""
    must_own(user=user, collection=collection)
    if title is not None:
        collection.title = _title(title)
    if description is not None:
        collection.description = _text(
            description, field="description", limit=Collection.MAX_DESCRIPTION_LENGTH, blank=True
        )
    if visibility is not None:
        collection.visibility = _visibility(visibility)
    collection.updated_at = timezone.now()
    collection.save(update_fields=["title", "description", "visibility", "updated_at"])
    return collection


def collection_delete(*, user: AnyUser | None, collection: Collection) -> None:
    must_own(user=user, collection=collection)
    collection.delete()


def collection_editor_add(*, user: AnyUser | None, collection: Collection, username: str) -> User:
    """Name a user an editor (the owner alone); naming one twice keeps one."""
    must_own(user=user, collection=collection)
    name = (username or "").strip().lstrip("@")
    editor = User.objects.filter(username=name, is_active=True).first()
    if editor is None:
        raise UnknownUser(f"There is no user “{name[:150]}”.")
    if editor.pk == collection.owner_id:
        raise NotAnEditor("The owner edits the collection already.")
    with transaction.atomic():
        editors = CollectionEditor.objects.filter(collection=collection)
        if editors.filter(user=editor).exists():
            return editor
        if editors.count() >= MAX_EDITORS:
            raise LimitReached(f"A collection has at most {MAX_EDITORS} editors.")
        CollectionEditor.objects.create(collection=collection, user=editor)
    return editor


def collection_editor_remove(
    *, user: AnyUser | None, collection: Collection, username: str
) -> None:
    """Take an editor off the collection: the owner may remove anyone, an editor themselves."""
    person = _login(user)
    if not (collection.owned_by(person) or person.get_username() == username):
        must_own(user=person, collection=collection)
    CollectionEditor.objects.filter(collection=collection, user__username=username).delete()


def _touch(collection: Collection) -> None:
    collection.updated_at = timezone.now()
    Collection.objects.filter(pk=collection.pk).update(updated_at=collection.updated_at)


def collection_item_add(
    *, user: AnyUser | None, collection: Collection, paper: Paper, note: str = ""
) -> CollectionItem:
    """Add the paper at the end. AlreadyInCollection when it is there already."""
    person = may_edit(user=user, collection=collection)
    note = _text(note, field="note", limit=CollectionItem.MAX_NOTE_LENGTH, blank=True)
    with transaction.atomic():
        # Lock the collection: positions are counted, so two additions at once wait in turn.
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        count = CollectionItem.objects.filter(collection=collection).count()
        if CollectionItem.objects.filter(collection=collection, paper=paper).exists():
            raise AlreadyInCollection(f"arXiv:{paper.arxiv_id} is in this collection already.")
        if count >= MAX_ITEMS:
            raise LimitReached(f"A collection holds at most {MAX_ITEMS} papers.")
        item = CollectionItem.objects.create(
            collection=collection, paper=paper, position=count, note=note, added_by=person
        )
        _touch(collection)
    return item


def collection_item_remove(*, user: AnyUser | None, collection: Collection, paper: Paper) -> bool:
    """Take the paper out; the papers after it move up. Whether it was there."""
    may_edit(user=user, collection=collection)
    with transaction.atomic():
        items = _locked_items(collection)
        kept = [item for item in items if item.paper_id != paper.pk]
        if len(kept) == len(items):
            return False
        CollectionItem.objects.filter(collection=collection, paper=paper).delete()
        _renumber(kept)
        _touch(collection)
    return True


def collection_item_update(
    *,
    user: AnyUser | None,
    collection: Collection,
    paper: Paper,
    note: str | None = None,
    position: int | None = None,
) -> CollectionItem:
    """Change a paper's note, or move it to a position (0 is first; beyond the end is last).
    CollectionItem.DoesNotExist when the paper is not in the collection."""
    may_edit(user=user, collection=collection)
    with transaction.atomic():
        items = _locked_items(collection)
        item = next((i for i in items if i.paper_id == paper.pk), None)
        if item is None:
            raise CollectionItem.DoesNotExist(f"arXiv:{paper.arxiv_id} is not in this collection.")
        if note is not None:
            item.note = _text(note, field="note", limit=CollectionItem.MAX_NOTE_LENGTH, blank=True)
            item.save(update_fields=["note"])
        if position is not None:
            items.remove(item)
            items.insert(max(0, min(position, len(items))), item)
            _renumber(items)
        _touch(collection)
    return item


def _locked_items(collection: Collection) -> list[CollectionItem]:
    Collection.objects.select_for_update().filter(pk=collection.pk).first()
    return list(CollectionItem.objects.filter(collection=collection).order_by("position", "id"))


def _renumber(items: list[CollectionItem]) -> None:
    """Positions 0..n-1 in the list's order, writing only those that moved."""
    moved = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            moved.append(item)
    CollectionItem.objects.bulk_update(moved, ["position"])


def collection_vote_set(*, user: AnyUser | None, collection: Collection, on: bool) -> VoteState:
    """Upvote the collection or take the vote back; idempotent, one vote per user."""
    person = _login(user)
    if not collection.readable_by(person):
        raise not_found(collection.owner.get_username(), collection.slug)
    with transaction.atomic():
        if on:
            try:
                with transaction.atomic():
                    CollectionVote.objects.create(user=person, collection=collection)
            except IntegrityError:
                pass  # voted already, perhaps a moment ago
        else:
            CollectionVote.objects.filter(user=person, collection=collection).delete()
        count = CollectionVote.objects.filter(collection=collection).count()
        Collection.objects.filter(pk=collection.pk).update(upvotes=count)
    collection.upvotes = count
    return VoteState(upvoted=on, upvotes=count)
