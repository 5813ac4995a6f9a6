"""App config for the tenant admin area (no models of its own)."""

from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    label = "backoffice"
    verbose_name = "Tenant admin area"
