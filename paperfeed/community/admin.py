from django.contrib import admin

from paperfeed.community.models import Featured


@admin.register(Featured)
class FeaturedAdmin(admin.ModelAdmin):
    list_display = ("paper", "featured_on", "submitted_by", "source_upvotes", "source")
    date_hierarchy = "featured_on"
    raw_id_fields = ("paper",)
    list_filter = ("source",)
