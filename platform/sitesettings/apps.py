"""App config for site settings (tenant schemas)."""

from django.apps import AppConfig


class SiteSettingsConfig(AppConfig):
    name = "sitesettings"
    label = "sitesettings"
    verbose_name = "Site settings"
