"""RSS 2.0 and Atom feeds (Django's syndication framework): the daily papers, trending, a
category, an author, and any search. Each page links its feed with <link rel="alternate">.

Feeds call the same selectors as the pages; a feed reader polls, so each feed is small (at
most FEED_ITEMS entries) and its entries keep stable ids (the paper's arXiv URL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, register_converter, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import linebreaks

from paperfeed.alerts.selectors import alert_by_secret, alert_matches
from paperfeed.community.selectors import daily_papers, featured_latest_day, trending_current
from paperfeed.lib.periods import Period
from paperfeed.links.selectors import code_badges
from paperfeed.papers.models import Paper
from paperfeed.papers.selectors import author_get, author_papers
from paperfeed.search.query import category_canonical
from paperfeed.search.selectors import papers_search
from paperfeed.web.forms import SearchForm

FEED_ITEMS = 50
DAILY_DAYS = 7  # the daily feed spans the latest featured day and the six before it
AUTHORS_SHOWN = 10
# XML 1.0 forbids these control characters; a stray one in an abstract would break the feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class FeedFormat:
    regex = "rss|atom"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FeedFormat, "feedformat")


@dataclass
class Item:
    paper: Paper
    when: datetime | None  # when it appeared on the list the feed follows
    upvotes: int | None = None
    code: str = ""  # the paper's own repository


def with_code(items: list[Item]) -> list[Item]:
    """The items, each with its paper's own repository (one query for the feed)."""
    found = code_badges([item.paper.pk for item in items])
    for item in items:
        code = found.get(item.paper.pk)
        if code is not None and not code.gone:
            item.code = code.url
    return items


class PaperFeed(Feed[Item, Any]):
    """What every feed shares: one entry per paper, linking to its page here. The object a feed
    follows differs from feed to feed (a day, a category, an author, a search)."""

    feed_type: Any = Rss201rev2Feed

    def item_title(self, item: Item) -> str:
        return feed_text(item.paper.title)

    def item_description(self, item: Item) -> str:
        authors = item.paper.authors
        names = ", ".join(authors[:AUTHORS_SHOWN]) + (" et al." if len(authors) > 10 else "")
        votes = f" · {item.upvotes} upvotes" if item.upvotes else ""
        # Feed readers read a description as HTML: escaped, an abstract shows as written
        # ("p < 0.05" included).
        code = f"\n\nCode: {item.code}" if item.code else ""
        text = feed_text(f"{names} ({item.paper.arxiv_id}{votes})\n\n{item.paper.abstract}{code}")
        return linebreaks(text, autoescape=True)

    def item_link(self, item: Item) -> str:
        return reverse("paper", args=[item.paper.arxiv_id])

    def item_guid(self, item: Item) -> str:
        return item.paper.abs_url

    item_guid_is_permalink = False

    def item_pubdate(self, item: Item) -> datetime | None:
        return item.when or item.paper.published

    def item_updateddate(self, item: Item) -> datetime | None:
        return item.when or item.paper.updated or item.paper.published

    def item_author_name(self, item: Item) -> str:
        authors = item.paper.authors
        return feed_text(", ".join(authors[:3]) + (" et al." if len(authors) > 3 else ""))

    def item_categories(self, item: Item) -> list[str]:
        return item.paper.category_list

    def description(self, obj: Any) -> str:
        return self.subtitle(obj)

    def subtitle(self, obj: Any) -> str:
        return ""


class DailyFeed(PaperFeed):
    def get_object(self, request: HttpRequest, **kwargs: Any) -> date:
        today = timezone.localdate()
        return featured_latest_day(on_or_before=today) or today

    def title(self, latest: date) -> str:
        return "Daily papers"

    def subtitle(self, latest: date) -> str:
        return "Papers featured on the daily lists, the latest day first, most upvoted first."

    def link(self, latest: date) -> str:
        return reverse("index")

    def items(self, latest: date) -> list[Item]:
        span = Period("day", latest - timedelta(days=DAILY_DAYS - 1), latest + timedelta(days=1))
        entries = daily_papers(period=span, sort="votes")
        # Stable: votes order each day. A daily list's entries all have their day (date.min is
        # for the type only).
        entries.sort(key=lambda e: e.featured_on or date.min, reverse=True)
        return with_code(
            [Item(e.paper, _day_start(e.featured_on), e.upvotes) for e in entries][:FEED_ITEMS]
        )


class TrendingFeed(PaperFeed):
    title = "Trending papers"
    subtitle_text = "Papers featured in the last seven days, by their time-decayed upvotes."

    def subtitle(self, obj: Any) -> str:
        return self.subtitle_text

    def link(self) -> str:
        return reverse("trending")

    def items(self) -> list[Item]:
        entries = trending_current(window="week", limit=FEED_ITEMS).entries
        return with_code([Item(e.paper, _day_start(e.featured_on), e.upvotes) for e in entries])


class CategoryFeed(PaperFeed):
    def get_object(self, request: HttpRequest, category: str, **kwargs: Any) -> str:
        canonical = category_canonical(category[:40])
        if canonical is None:
            raise Http404(f"“{category[:40]}” is not an arXiv category (e.g. cs.LG, hep-th).")
        return canonical

    def title(self, category: str) -> str:
        return f"New papers in {category}"

    def subtitle(self, category: str) -> str:
        return f"The newest papers in the arXiv category {category}."

    def link(self, category: str) -> str:
        return f"{reverse('search')}?category={category}"

    def items(self, category: str) -> list[Item]:
        results = papers_search(q="", mode="keyword", categories=[category], per_page=FEED_ITEMS)
        return with_code([Item(hit.paper, None) for hit in results.hits])


class AuthorFeed(PaperFeed):
    def get_object(self, request: HttpRequest, name: str, **kwargs: Any) -> Any:
        author = author_get(name=name)
        if author is None:
            raise Http404(f"No author named “{name[:200]}” in this catalog.")
        return author

    def title(self, author: Any) -> str:
        return f"Papers by {author.name}"

    def subtitle(self, author: Any) -> str:
        return f"{author.name}'s papers, the newest first."

    def link(self, author: Any) -> str:
        return reverse("author", args=[author.name])

    def items(self, author: Any) -> list[Item]:
        return with_code([Item(paper, None) for paper in author_papers(author=author)[:FEED_ITEMS]])


class SearchFeed(PaperFeed):
    """Any search the search page can run (q, mode, category, after, before), best first."""

    def get_object(self, request: HttpRequest, **kwargs: Any) -> Any:
        params, _ = SearchForm(request.GET).params()
        return params, request.GET.urlencode()

    def title(self, obj: Any) -> str:
        params, _ = obj
        shown = params.query_text.strip() or "everything"
        return f"Search: {feed_text(shown[:100])}"

    def subtitle(self, obj: Any) -> str:
        return "Papers matching a search, the best matches first."

    def link(self, obj: Any) -> str:
        return f"{reverse('search')}?{obj[1]}" if obj[1] else reverse("search")

    def items(self, obj: Any) -> list[Item]:
        params, _ = obj
        if not (params.q or params.has_filters):
            return []
        results = papers_search(
            q=params.q[:2000], mode=params.mode, per_page=FEED_ITEMS,
            categories=[params.category] if params.category else [],
            after=params.after, before=params.before, code=params.code,
        )  # fmt: skip
        return with_code([Item(hit.paper, None) for hit in results.hits])


class AlertFeed(PaperFeed):
    """A saved search's alert: the new papers it matched, newest first. Private: its address
    holds a secret, and a renewed or stopped alert's old address answers 404."""

    def get_object(self, request: HttpRequest, secret: str, **kwargs: Any) -> Any:
        alert = alert_by_secret(secret)
        if alert is None:
            raise Http404("No such feed: it may have been renewed or its alert stopped.")
        return alert

    def title(self, obj: Any) -> str:
        return f"Alert: {feed_text(obj.search.name[:100])}"

    def subtitle(self, obj: Any) -> str:
        return f"New papers matching “{feed_text(obj.search.query[:200])}”."

    def link(self, obj: Any) -> str:
        return f"{reverse('search')}?{urlencode({'q': obj.search.query})}"

    def items(self, obj: Any) -> list[Item]:
        return with_code([Item(m.paper, m.found_at) for m in alert_matches(obj, limit=FEED_ITEMS)])


def _atom(feed: type[PaperFeed]) -> type[PaperFeed]:
    return type(f"{feed.__name__}Atom", (feed,), {"feed_type": Atom1Feed})


FEEDS = {
    name: {"rss": feed(), "atom": _atom(feed)()}
    for name, feed in {
        "daily": DailyFeed,
        "trending": TrendingFeed,
        "category": CategoryFeed,
        "author": AuthorFeed,
        "search": SearchFeed,
        "alert": AlertFeed,
    }.items()
}


def feed(request: HttpRequest, kind: str, fmt: str, **kwargs: Any) -> HttpResponse:
    return FEEDS[kind][fmt](request, **kwargs)


def feed_text(text: str) -> str:
    return _CONTROL.sub("", text)


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


# Mounted under /feeds/ by paperfeed/web/urls.py.
urlpatterns = [
    path("daily.<feedformat:fmt>", feed, {"kind": "daily"}, name="feed_daily"),
    path("trending.<feedformat:fmt>", feed, {"kind": "trending"}, name="feed_trending"),
    path("search.<feedformat:fmt>", feed, {"kind": "search"}, name="feed_search"),
    path("category/<str:category>.<feedformat:fmt>", feed, {"kind": "category"},
         name="feed_category"),
    path("authors/<path:name>.<feedformat:fmt>", feed, {"kind": "author"}, name="feed_author"),
    path("alerts/<str:secret>.<feedformat:fmt>", feed, {"kind": "alert"}, name="feed_alert"),
]  # fmt: skip
