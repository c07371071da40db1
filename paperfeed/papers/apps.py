from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "paperfeed.papers"
    label = "papers"
