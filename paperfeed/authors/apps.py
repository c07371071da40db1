from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "paperfeed.authors"
    label = "authors"
    verbose_name = "Claimed authors"
