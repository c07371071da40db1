from django.contrib import admin

from paperfeed.papers.models import Author, Paper


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin[Paper]):
    list_display = ("arxiv_id", "title", "primary_category", "version", "published", "source")
    search_fields = ("arxiv_id", "title")
    list_filter = ("source", "primary_category")
    date_hierarchy = "published"
    readonly_fields = ("created_at", "modified_at")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin[Author]):
    list_display = ("name", "key")
    search_fields = ("key", "name")
