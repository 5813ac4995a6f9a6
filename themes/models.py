"""A tenant's theme (an editable draft and every published version), its pages and menu."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from townsquare.lib.video import validate_video_url

hex_colour = RegexValidator(r"^#[0-9a-f]{6}$", "Use a colour such as #1d4e89.")


def validate_link(url: str) -> None:
    """Links in menus and footers: web pages on https/http, or a path on this site."""
    lowered = url.strip().lower()
    if lowered.startswith("/") and not lowered.startswith("//"):
        return
    if not lowered.startswith(("https://", "http://")):
        raise ValidationError(
            "Use a link starting https://, or a page of this site such as /pages/help/."
        )


def validate_links(value: Any) -> None:
    if not isinstance(value, list) or len(value) > 12:
        raise ValidationError("Up to 12 links.")
    for item in value:
        if not isinstance(item, dict) or not item.get("label") or not item.get("url"):
            raise ValidationError("Each link needs a label and an address.")
        validate_link(str(item["url"]))


# key: (name shown, CSS font stack, file stem under static/themes/fonts or "" for none)
FONTS: dict[str, tuple[str, str, str]] = {
    "system": (
        "Your device's font",
        'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        "",
    ),
    "atkinson-hyperlegible": (
        "Atkinson Hyperlegible (made for readers with low vision)",
        '"Atkinson Hyperlegible", system-ui, sans-serif',
        "atkinson-hyperlegible",
    ),
    "lexend": ("Lexend", '"Lexend", system-ui, sans-serif', "lexend"),
    "source-sans-3": ("Source Sans 3", '"Source Sans 3", system-ui, sans-serif', "source-sans-3"),
    "merriweather": ("Merriweather (serif)", '"Merriweather", Georgia, serif', "merriweather"),
}


class ThemeFields(models.Model):
    """What a theme is; the draft and each published version carry the same fields."""

    primary = models.CharField(max_length=7, default="#1d4e89", validators=[hex_colour])
    accent = models.CharField(max_length=7, default="#6b6b76", validators=[hex_colour])
    text = models.CharField(max_length=7, default="#1b1b1f", validators=[hex_colour])
    background = models.CharField(max_length=7, default="#ffffff", validators=[hex_colour])
    link = models.CharField(max_length=7, default="#1d4e89", validators=[hex_colour])
    font = models.CharField(
        max_length=40, default="system", choices=[(k, v[0]) for k, v in FONTS.items()]
    )
    # Media paths of checked, re-encoded files, named by their content's hash.
    logo = models.CharField(max_length=200, blank=True)
    logo_alt = models.CharField(max_length=150, blank=True)
    favicon = models.CharField(max_length=200, blank=True)
    header_image = models.CharField(max_length=200, blank=True)
    # Markdown as written, and the sanitised HTML made from it on save (shown as-is).
    intro_markdown = models.TextField(blank=True)
    intro = models.TextField(blank=True)
    footer_links = models.JSONField(default=list, blank=True, validators=[validate_links])
    social_links = models.JSONField(default=list, blank=True, validators=[validate_links])
    # Stored already filtered; what was removed is shown when it is saved.
    custom_css = models.TextField(blank=True)
    # Honoured only on plans that include removing the branding (checked when drawn, too).
    hide_branding = models.BooleanField(default=False)

    FIELDS = (
        "primary", "accent", "text", "background", "link", "font", "logo", "logo_alt",
        "favicon", "header_image", "intro_markdown", "intro", "footer_links", "social_links",
        "custom_css", "hide_branding",
    )  # fmt: skip

    class Meta:
        abstract = True

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


class ThemeDraft(ThemeFields):
    """The one theme being edited; residents never see it until it is published."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Theme draft"


class ThemeVersion(ThemeFields):
    """A published theme, kept for good: the newest is live, any can be restored."""

    number = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Theme version {self.number}"


class Page(models.Model):
    """A page of the organisation's own, such as "How to use this site"."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    # Markdown as written, and the sanitised HTML made from it on save (shown as-is).
    body_markdown = models.TextField(blank=True)
    body = models.TextField(blank=True)
    video_url = models.URLField(blank=True, validators=[validate_video_url])
    published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PageRevision(models.Model):
    """A page as it was saved: every save is kept, and any can be restored."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=120)
    body_markdown = models.TextField(blank=True)
    body = models.TextField(blank=True)
    video_url = models.URLField(blank=True)
    published = models.BooleanField(default=False)
    saved_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.saved_at:%Y-%m-%d %H:%M})"


class MenuItem(models.Model):
    """An entry of the site's navigation menu: one of its pages, or a link."""

    label = models.CharField(max_length=60)
    page = models.ForeignKey(Page, on_delete=models.CASCADE, null=True, blank=True)
    url = models.CharField(max_length=300, blank=True, validators=[validate_link])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(page__isnull=False) & models.Q(url=""))
                | (models.Q(page__isnull=True) & ~models.Q(url="")),
                name="menuitem_page_or_url",
            )
        ]

    def __str__(self) -> str:
        return self.label
