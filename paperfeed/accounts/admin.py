from django.contrib import admin

from paperfeed.accounts.models import LibraryEntry, SavedSearch


@admin.register(LibraryEntry)
class LibraryEntryAdmin(admin.ModelAdmin[LibraryEntry]):
    list_display = ("user", "paper", "added_at")
    raw_id_fields = ("user", "paper")
    search_fields = ("user__username", "paper__arxiv_id")
    date_hierarchy = "added_at"


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin[SavedSearch]):
    list_display = ("name", "user", "query", "created_at")
    raw_id_fields = ("user",)
    search_fields = ("user__username", "name", "query")
