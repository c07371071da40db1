from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "paperfeed.alerts"
    label = "alerts"
    verbose_name = "Saved-search alerts"
