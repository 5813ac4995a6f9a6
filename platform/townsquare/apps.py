"""Project-wide app: templates, static files and the health checks."""

from django.apps import AppConfig


class TownsquareConfig(AppConfig):
    name = "townsquare"
    label = "townsquare"
    verbose_name = "Townsquare"
