"""App config for outgoing webhooks (tenant schemas)."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "api.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from api.webhooks import receivers  # noqa: F401  (connects the receivers)
