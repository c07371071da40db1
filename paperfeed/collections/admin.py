from __future__ import annotations

from django.contrib import admin

from paperfeed.collections.models import Collection, CollectionEditor, CollectionItem


class CollectionItemInline(admin.TabularInline[CollectionItem, Collection]):
    model = CollectionItem
    raw_id_fields = ("paper", "added_by")
    extra = 0


class CollectionEditorInline(admin.TabularInline[CollectionEditor, Collection]):
    model = CollectionEditor
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin[Collection]):
    list_display = ("title", "owner", "slug", "visibility", "upvotes", "updated_at")
    list_filter = ("visibility",)
    raw_id_fields = ("owner",)
    search_fields = ("title", "slug", "owner__username")
    readonly_fields = ("upvotes",)  # counted from the votes by the service
    inlines = [CollectionEditorInline, CollectionItemInline]
