from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from paperfeed.digests.models import Delivery, Edition, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "frequency", "categories", "user", "confirmed_at", "unsubscribed_at",
                    "bounces", "bounced_at")  # fmt: skip
    list_filter = ("frequency", ("confirmed_at", admin.EmptyFieldListFilter),
                   ("unsubscribed_at", admin.EmptyFieldListFilter))  # fmt: skip
    search_fields = ("email",)
    raw_id_fields = ("user",)
    readonly_fields = ("nonce", "created_at", "confirm_sent_at", "last_error")


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("frequency", "slug", "created_at")
    list_filter = ("frequency",)
    readonly_fields = ("content", "created_at")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("edition", "subscription", "state", "attempts", "sent_at", "error")
    list_filter = ("state", "edition")
    search_fields = ("subscription__email",)
    raw_id_fields = ("subscription", "edition")
    list_select_related = ("edition", "subscription")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
