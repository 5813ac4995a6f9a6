"""App config for moderation (tenant schemas)."""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    label = "moderation"
    verbose_name = "Moderation"
