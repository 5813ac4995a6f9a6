"""Reads of the current tenant's theme, pages and menu; memoised per process and schema."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dialogues.models import Dialogue
from themes.models import MenuItem, Page, ThemeDraft, ThemeVersion
from townsquare.lib.memo import TtlMemo
from townsquare.lib.video import video_embed_url

# A list, so "nothing published" ([]) is remembered as well as a version.
_live: TtlMemo[list[ThemeVersion]] = TtlMemo(ttl_seconds=10.0)
_menus: TtlMemo[list[MenuItem]] = TtlMemo(ttl_seconds=10.0)
_frames: TtlMemo[list[str]] = TtlMemo(ttl_seconds=10.0)


def _schema() -> str:
    return str(getattr(connection, "schema_name", ""))


def theme_live() -> ThemeVersion | None:
    """The newest published version, or None while the built-in look is used."""
    schema = _schema()
    found = _live.get(schema)
    if found is None:
        found = list(ThemeVersion.objects.order_by("-number")[:1])
        _live.set(schema, found)
    return found[0] if found else None


def theme_draft() -> ThemeDraft:
    draft, _ = ThemeDraft.objects.get_or_create(singleton=True)
    return draft


def menu_items() -> list[MenuItem]:
    """Menu entries whose page (if any) is published, in order."""
    schema = _schema()
    items = _menus.get(schema)
    if items is None:
        items = [
            item
            for item in MenuItem.objects.select_related("page")
            if item.page is None or item.page.published
        ]
        _menus.set(schema, items)
    return items


def frame_sources() -> list[str]:
    """The video providers this tenant actually embeds, for the CSP's frame-src."""
    schema = _schema()
    sources = _frames.get(schema)
    if sources is None:
        urls = list(Dialogue.objects.exclude(video_url="").values_list("video_url", flat=True))
        urls += (
            Page.objects.filter(published=True)
            .exclude(video_url="")
            .values_list("video_url", flat=True)
        )
        origins = set()
        for url in urls:
            try:
                embed = urlsplit(video_embed_url(url))
            except ValidationError:
                continue
            origins.add(f"{embed.scheme}://{embed.netloc}")
        sources = sorted(origins)
        _frames.set(schema, sources)
    return sources


@receiver([post_save, post_delete], sender=ThemeVersion)
@receiver([post_save, post_delete], sender=MenuItem)
@receiver([post_save, post_delete], sender=Page)
@receiver([post_save, post_delete], sender=Dialogue)
def _forget(**kwargs: object) -> None:
    # Now, and again once the change is committed: a request in another thread may have
    # read (and remembered) the old state in between.
    theme_memos_clear()
    transaction.on_commit(theme_memos_clear)


def theme_memos_clear() -> None:
    _live.clear()
    _menus.clear()
    _frames.clear()
