"""Writes for a tenant's own settings and helplines; the admin area's views call these."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sitesettings.models import Signpost, SiteSettings


@transaction.atomic
def site_settings_update(**changes: Any) -> SiteSettings:
    """Saves validated changes to the tenant's settings (the memo forgets them on save)."""
    settings, _ = SiteSettings.objects.select_for_update().get_or_create(singleton=True)
    for field, value in changes.items():
        setattr(settings, field, value)
    settings.full_clean()
    settings.save()
    return settings


@transaction.atomic
def signpost_add(**fields: Any) -> Signpost:
    signpost = Signpost(**fields)
    signpost.full_clean()
    signpost.save()
    return signpost


@transaction.atomic
def signpost_remove(*, signpost_id: int) -> bool:
    deleted, _ = Signpost.objects.filter(pk=signpost_id).delete()
    return bool(deleted)
