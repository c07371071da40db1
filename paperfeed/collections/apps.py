from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "paperfeed.collections"
    label = "paper_collections"  # "collections" would shadow nothing, but reads as the stdlib's
    verbose_name = "Collections"
