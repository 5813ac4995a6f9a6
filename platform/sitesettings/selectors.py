"""Reads the current tenant's settings, creating the defaults on first use."""

from __future__ import annotations

from sitesettings.models import SiteSettings


def site_settings_get() -> SiteSettings:
    settings, _ = SiteSettings.objects.get_or_create(singleton=True)
    return settings
