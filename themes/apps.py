"""Per-tenant branding, custom pages and the navigation menu."""

from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    default_auto_field = "django.db.models.BigAutoField"
