"""Staff decide claims here: the list of claims (pending first), two actions, and the papers
taken off a claimed page, which staff can add to or remove."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest

from paperfeed.authors.models import Claim, Exclusion
from paperfeed.authors.services import ClaimError, claim_confirm, claim_reject


class ExclusionInline(admin.TabularInline[Exclusion, Claim]):
    model = Exclusion
    raw_id_fields = ("paper",)
    readonly_fields = ("created_at",)
    extra = 0
    verbose_name = "paper taken off this author's page"
    verbose_name_plural = "papers taken off this author's page (“not me”)"


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin[Claim]):
    list_display = ("author", "user", "status", "profile_url", "created_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("author", "user", "decided_by")
    search_fields = ("author__name", "user__username", "user__email")
    raw_id_fields = ("author", "user")
    # Decisions go through the actions, which keep one confirmed claim per author.
    readonly_fields = ("status", "created_at", "decided_at", "decided_by")
    date_hierarchy = "created_at"
    actions = ("confirm_claims", "reject_claims")
    inlines = (ExclusionInline,)
    # A link typed without a scheme is read as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        pending_first = Case(
            When(status=Claim.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return super().get_queryset(request).order_by(pending_first, "-created_at", "-id")

    @admin.action(description="Confirm the selected claims")
    def confirm_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        done = 0
        for claim in queryset.select_related("author"):
            try:
                claim_confirm(claim=claim, by=request.user)  # type: ignore[arg-type]
            except ClaimError as exc:
                self.message_user(request, f"Not confirmed: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} claim(s) confirmed.", messages.SUCCESS)

    @admin.action(description="Reject the selected claims")
    def reject_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        claims = list(queryset)
        for claim in claims:
            claim_reject(claim=claim, by=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"{len(claims)} claim(s) rejected.", messages.SUCCESS)
