"""A collection's Atom feed (/collections/<owner>/<slug>/feed.atom): its papers, the most
recently added first, each with the collection's note about it.

It answers only what the page answers: a private collection is a 404 for anyone but its owner
and editors, the same 404 as a collection that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks

from paperfeed.collections.models import Collection
from paperfeed.collections.selectors import collection_get_or_404, collection_items
from paperfeed.web.feeds import FEED_ITEMS, Item, PaperFeed, feed_text, with_code


@dataclass
class NotedItem(Item):
    note: str = ""


class CollectionFeed(PaperFeed):
    feed_type: Any = Atom1Feed

    def get_object(self, request: HttpRequest, owner: str, slug: str, **kwargs: Any) -> Collection:
        return collection_get_or_404(owner=owner, slug=slug, viewer=request.user)

    def title(self, collection: Collection) -> str:
        return feed_text(f"{collection.title} · a collection by {collection.owner.get_username()}")

    def subtitle(self, collection: Collection) -> str:
        return feed_text(
            collection.description or f"The papers in “{collection.title}”, newest first."
        )

    def link(self, collection: Collection) -> str:
        return reverse("collection", args=[collection.owner.get_username(), collection.slug])

    def author_name(self, collection: Collection) -> str:
        return collection.owner.get_username()

    def feed_guid(self, collection: Collection) -> str:
        return self.link(collection)

    def items(self, collection: Collection) -> list[Item]:
        rows = collection_items(collection=collection)
        rows.sort(key=lambda item: (item.added_at, item.pk), reverse=True)
        items: list[Item] = [
            NotedItem(item.paper, item.added_at, note=item.note) for item in rows[:FEED_ITEMS]
        ]
        return with_code(items)

    def item_description(self, item: Item) -> str:
        described = super().item_description(item)
        if isinstance(item, NotedItem) and item.note:
            note = linebreaks(escape(feed_text(item.note)))
            return f"<p><strong>Note:</strong></p>{note}{described}"
        return described

    def item_pubdate(self, item: Item) -> datetime | None:
        return item.when


collection_feed = CollectionFeed()
