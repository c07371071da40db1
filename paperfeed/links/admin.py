from django.contrib import admin

from paperfeed.links.models import PaperLink, Repository


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin[Repository]):
    list_display = ("full_name", "state", "stars", "language", "license", "archived", "checked_at")
    list_filter = ("state", "archived")
    search_fields = ("key",)
    readonly_fields = ("moved_to",)


@admin.register(PaperLink)
class PaperLinkAdmin(admin.ModelAdmin[PaperLink]):
    list_display = ("paper", "kind", "url", "source", "primary")
    list_filter = ("kind", "source", "primary")
    search_fields = ("url", "paper__arxiv_id")
    raw_id_fields = ("paper", "repository")
