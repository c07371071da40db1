from django.apps import AppConfig


class RecommendConfig(AppConfig):
    name = "paperfeed.recommend"
    label = "recommend"

    def ready(self) -> None:
        from paperfeed.recommend.signals import connect

        connect()
