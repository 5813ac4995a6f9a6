"""The theme editor's, page editor's and menu editor's forms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from billing.entitlements import PlanLimitError
from themes.css import custom_css_filter
from themes.images import image_check
from themes.models import FONTS, Page, validate_link
from townsquare.lib.forms import Form
from townsquare.lib.markdown_editor import MarkdownField

COLOUR_FIELDS = ("primary", "accent", "text", "background", "link")
COLOUR_LABELS = {
    "primary": "Main colour (header and buttons)",
    "accent": "Accent (borders and controls)",
    "text": "Text colour",
    "background": "Background colour",
    "link": "Link colour",
}
# Said to screen readers for each colour's picker; kept apart from the field's own label,
# which names the hex field (the one that is always there).
PICKER_LABELS = {
    "primary": "Colour picker for the main colour",
    "accent": "Colour picker for the accent",
    "text": "Colour picker for text",
    "background": "Colour picker for the background",
    "link": "Colour picker for links",
}
COLOUR_MESSAGE = "Enter a colour as # followed by six hex digits, like #1d4e89."
_HEX = re.compile(r"#?([0-9a-f]{3}|[0-9a-f]{6})")
# What a colour picker shows when it has no colour to show.
_PICKER_BLANK = "#000000"


def hex_normalise(value: str) -> str | None:
    """'#1D4E89', '#abc' or '1d4e89' → '#1d4e89' (lower case, six digits); None if not a colour."""
    found = _HEX.fullmatch(value.strip().lower())
    if found is None:
        return None
    digits = found.group(1)
    return "#" + ("".join(d * 2 for d in digits) if len(digits) == 3 else digits)


def colour_reconcile(*, typed: str | None, picked: str | None, shown: str | None) -> str | None:
    """The colour sent by a hex field and its picker, which are two controls when JavaScript
    does not keep them in step: the one changed since the page was drawn wins, the typed one
    when both were (typing is the deliberate act). shown is the hex field's value as drawn."""
    if typed is None or shown is None or picked is None:
        return typed if typed is not None else picked
    if typed.strip() != shown.strip():
        return typed
    drawn = hex_normalise(shown) or _PICKER_BLANK
    if hex_normalise(picked) not in (None, drawn):
        return picked
    return typed


class ColourInput(forms.Widget):
    """A hex text field (its label's target, always sent) beside a native colour picker that
    is its swatch; a hidden copy of the hex as drawn lets the server tell which one changed."""

    template_name = "themes/widgets/colour.html"

    def __init__(self, *, picker_label: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.picker_label = picker_label

    def format_value(self, value: Any) -> str:
        return "" if value is None else str(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        shown = context["widget"]["value"]
        context["widget"].update(
            picker=hex_normalise(shown) or _PICKER_BLANK, picker_label=self.picker_label
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str | None:
        return colour_reconcile(
            typed=data.get(name), picked=data.get(f"{name}_picker"), shown=data.get(f"{name}_shown")
        )

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_picker" not in data


class ColourField(forms.CharField):
    """A colour as lower-case #rrggbb, whatever way of writing it was typed or picked."""

    default_error_messages = {"required": COLOUR_MESSAGE, "invalid": COLOUR_MESSAGE}

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "A # and six hex digits, or choose it with the picker beside it."
        )
        super().__init__(
            label=COLOUR_LABELS[name],
            widget=ColourInput(picker_label=PICKER_LABELS[name]),
            **kwargs,
        )

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        colour = hex_normalise(text)
        if colour is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return colour


def links_parse(text: str) -> list[dict[str, str]]:
    """'Label | address' per line → links; ValidationError naming the line at fault."""
    links: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, bar, url = line.partition("|")
        if not bar or not label.strip() or not url.strip():
            raise ValidationError(f"Line {number}: write a label, a | and the address.")
        try:
            validate_link(url.strip())
        except ValidationError as error:
            raise ValidationError(f"Line {number}: {error.messages[0]}") from None
        links.append({"label": label.strip()[:60], "url": url.strip()[:300]})
    if len(links) > 12:
        raise ValidationError("Up to 12 links.")
    return links


def links_text(links: list[dict[str, str]]) -> str:
    return "\n".join(f"{link['label']} | {link['url']}" for link in links)


class ThemeForm(Form):
    primary = ColourField(name="primary")
    accent = ColourField(name="accent")
    text = ColourField(name="text")
    background = ColourField(name="background")
    link = ColourField(name="link")
    font = forms.ChoiceField(
        choices=[(k, v[0]) for k, v in FONTS.items()], widget=forms.RadioSelect
    )
    logo_upload = forms.FileField(
        required=False, label="Logo", help_text="PNG, JPEG, WebP or SVG, up to 1 MB."
    )
    logo_alt = forms.CharField(
        required=False,
        max_length=150,
        label="Logo text",
        help_text="What the logo says, for people who cannot see it (usually your name).",
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    favicon_upload = forms.FileField(
        required=False, label="Favicon", help_text="The small icon in browser tabs: PNG or SVG."
    )
    header_image_upload = forms.FileField(
        required=False,
        label="Header image",
        help_text="A wide picture for your home page: PNG, JPEG or WebP, up to 3 MB.",
    )
    remove_header_image = forms.BooleanField(required=False, label="Remove the header image")
    intro_markdown = MarkdownField(
        required=False,
        preview_url_name="backoffice:markdown_preview_theme",
        rows=5,
        label="Home page introduction",
        help_text="Plain text, with simple formatting in Markdown: see “Formatting help”.",
    )
    footer_links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Footer links",
        help_text="One per line: Label | https://address",
    )
    social_links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Social media links",
        help_text="One per line: Label | https://address",
    )
    custom_css = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        label="Custom CSS",
        help_text=(
            "Filtered when saved: no @import, no outside url(), no changes to safety features."
        ),
    )
    hide_branding = forms.BooleanField(
        required=False,
        label="Hide “Powered by Townsquare”",
        help_text="Removes the Townsquare line from the foot of every page of your site.",
    )

    def __init__(
        self, *args: Any, refusals: Mapping[str, PlanLimitError] | None = None, **kwargs: Any
    ) -> None:
        """refusals: field → what the plan says about it; those fields are shown switched off
        with that message and the upgrade link (the editor is for admins, who can upgrade),
        and refused when sent all the same."""
        super().__init__(*args, **kwargs)
        self.refusals = dict(refusals or {})
        for name, refusal in self.refusals.items():
            field = self.fields[name]
            # Switched off in the page only: a value sent anyway must reach clean() to be
            # refused, which Django's own disabled fields would silently ignore.
            field.widget.attrs["disabled"] = True
            field.help_text = format_html(
                '{} <a href="{}">See plans and upgrade</a>', refusal.message, refusal.upgrade_url
            )
        self.css_removed: list[str] = []
        self.images: dict[str, tuple[bytes, str]] = {}

    def _image(self, field: str, kind: str) -> None:
        upload = self.cleaned_data.get(field)
        if upload:
            self.images[kind] = image_check(upload=upload, kind=kind)

    def clean_logo_upload(self) -> Any:
        self._image("logo_upload", "logo")
        return self.cleaned_data.get("logo_upload")

    def clean_favicon_upload(self) -> Any:
        self._image("favicon_upload", "favicon")
        return self.cleaned_data.get("favicon_upload")

    def clean_header_image_upload(self) -> Any:
        self._image("header_image_upload", "header_image")
        return self.cleaned_data.get("header_image_upload")

    def clean_footer_links(self) -> list[dict[str, str]]:
        return links_parse(self.cleaned_data.get("footer_links", ""))

    def clean_social_links(self) -> list[dict[str, str]]:
        return links_parse(self.cleaned_data.get("social_links", ""))

    def clean_custom_css(self) -> str:
        if "custom_css" in self.refusals and self.cleaned_data.get("custom_css", "").strip():
            raise self.refusals["custom_css"]
        css, self.css_removed = custom_css_filter(self.cleaned_data.get("custom_css", ""))
        return css

    def clean_hide_branding(self) -> bool:
        hide = bool(self.cleaned_data.get("hide_branding"))
        if "hide_branding" in self.refusals and hide:
            raise self.refusals["hide_branding"]
        return hide

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("logo_upload") and not cleaned.get("logo_alt"):
            self.add_error("logo_alt", "Say what the logo shows, for screen reader users.")
        return cleaned


class PageForm(forms.ModelForm):  # type: ignore[type-arg,unused-ignore]
    body_markdown = MarkdownField(
        required=False,
        preview_url_name="backoffice:markdown_preview_theme",
        label="Text",
        help_text="Plain text, with simple formatting in Markdown: see “Formatting help”.",
    )
    video_url = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=200,
        label="Video (YouTube or Vimeo link, optional)",
    )

    class Meta:
        model = Page
        fields = ["title", "slug", "body_markdown", "video_url", "published"]
        labels = {"slug": "Address", "published": "Published (visible to everyone)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MenuForm(Form):
    items = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Menu",
        help_text=(
            "One entry per line, in order: Label | /pages/<address>/ for one of your pages, "
            "or Label | https://address for another site."
        ),
    )

    def clean_items(self) -> list[dict[str, str]]:
        return links_parse(self.cleaned_data.get("items", ""))
