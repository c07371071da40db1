from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "paperfeed.links"
    label = "links"
    verbose_name = "Code and links"

    def ready(self) -> None:
        from paperfeed.links.receivers import connect

        connect()
