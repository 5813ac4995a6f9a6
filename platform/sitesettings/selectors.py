"""Reads the current tenant's settings, creating the defaults on first use."""

from __future__ import annotations

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sitesettings.models import Signpost, SiteSettings
from townsquare.lib.memo import TtlMemo

# Read on every page (the quick exit button): memoised per process and schema.
_memo: TtlMemo[SiteSettings] = TtlMemo(ttl_seconds=10.0)


def site_settings_get() -> SiteSettings:
    schema = str(getattr(connection, "schema_name", ""))
    settings = _memo.get(schema)
    if settings is None:
        settings, _ = SiteSettings.objects.get_or_create(singleton=True)
        _memo.set(schema, settings)
    return settings


def site_settings_for_editing() -> SiteSettings:
    """A fresh copy for the settings form, which changes its instance while validating: the
    memoised one must never carry unsaved values."""
    settings, _ = SiteSettings.objects.get_or_create(singleton=True)
    return settings


@receiver(post_save, sender=SiteSettings)
def _forget(**kwargs: object) -> None:
    _memo.clear()


_signposts: TtlMemo[list[Signpost]] = TtlMemo(ttl_seconds=10.0)


def signpost_list() -> list[Signpost]:
    """The helplines shown beside every dialogue: memoised like the settings."""
    schema = str(getattr(connection, "schema_name", ""))
    signposts = _signposts.get(schema)
    if signposts is None:
        signposts = list(Signpost.objects.all())
        _signposts.set(schema, signposts)
    return signposts


@receiver([post_save, post_delete], sender=Signpost)
def _forget_signposts(**kwargs: object) -> None:
    _signposts.clear()
