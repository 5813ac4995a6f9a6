"""App config for insights: the dashboard, themes, exports and the dialogue report."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from insights import signals  # noqa: F401  (connects the receivers)
