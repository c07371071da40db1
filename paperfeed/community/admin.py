from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from paperfeed.community.markdown import markdown_render
from paperfeed.community.models import Comment, Featured, Vote
from paperfeed.community.services import comment_hide
from paperfeed.community.trending import featured_refresh

Signal = TypeVar("Signal", bound=Vote | Comment)  # what changes a paper's counts


@admin.register(Featured)
class FeaturedAdmin(admin.ModelAdmin[Featured]):
    list_display = (
        "paper",
        "featured_on",
        "submitted_by",
        "source_upvotes",
        "votes",
        "comment_count",
        "source",
    )
    date_hierarchy = "featured_on"
    raw_id_fields = ("paper", "submitted_user")
    list_filter = ("source",)
    search_fields = ("paper__arxiv_id", "submitted_by")
    readonly_fields = ("votes", "comment_count", "trend")  # derived from votes and comments


class RefreshesFeatured(admin.ModelAdmin[Signal]):
    """Votes and comments changed in the admin move their paper's derived counts and trend."""

    def save_model(self, request: HttpRequest, obj: Signal, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        featured_refresh(paper_ids=[obj.paper_id])

    def delete_model(self, request: HttpRequest, obj: Signal) -> None:
        super().delete_model(request, obj)
        featured_refresh(paper_ids=[obj.paper_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Signal]) -> None:
        paper_ids = list(queryset.values_list("paper_id", flat=True))
        super().delete_queryset(request, queryset)
        featured_refresh(paper_ids=paper_ids)


@admin.register(Vote)
class VoteAdmin(RefreshesFeatured[Vote]):
    list_display = ("paper", "user", "created_at")
    raw_id_fields = ("paper", "user")
    search_fields = ("paper__arxiv_id", "user__username")
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(RefreshesFeatured[Comment]):
    list_display = ("id", "paper", "author", "created_at", "hidden")
    list_filter = ("hidden",)
    raw_id_fields = ("paper", "author", "hidden_by")
    search_fields = ("paper__arxiv_id", "author__username", "body")
    readonly_fields = ("body_html", "hidden", "hidden_by")
    date_hierarchy = "created_at"
    actions = ("hide_comments", "unhide_comments")

    def save_model(self, request: HttpRequest, obj: Comment, form: Any, change: bool) -> None:
        obj.body_html = markdown_render(obj.body)  # never trust HTML typed into the admin
        super().save_model(request, obj, form, change)

    @admin.action(description="Hide the selected comments")
    def hide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._set_hidden(request, queryset, hidden=True)

    @admin.action(description="Show the selected comments again")
    def unhide_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._set_hidden(request, queryset, hidden=False)

    def _set_hidden(self, request: HttpRequest, queryset: QuerySet[Comment], hidden: bool) -> None:
        # Through the service, so that the paper's comment count and trend follow.
        for comment in queryset:
            comment_hide(user=request.user, comment=comment, hidden=hidden)
        verb = "hidden" if hidden else "shown again"
        self.message_user(request, f"{queryset.count()} comment(s) {verb}.", messages.SUCCESS)
