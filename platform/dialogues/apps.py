"""App config for dialogues (tenant schemas)."""

from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "dialogues"
    label = "dialogues"
    verbose_name = "Dialogues"
