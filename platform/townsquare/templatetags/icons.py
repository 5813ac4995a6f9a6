"""`{% icon "name" %}`: a vendored Lucide icon drawn inline, so it takes the colour of its text."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "lucide"
_BODY = re.compile(r"<svg[^>]*>(?P<body>.*)</svg>", re.DOTALL)


@cache
def _icon_body(name: str) -> str:
    """The shapes inside the icon's <svg>; an unknown name is a template error, not a blank."""
    path = ICON_DIR / f"{name}.svg"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        raise template.TemplateSyntaxError(f"No vendored icon named {name!r} in {ICON_DIR}.")
    match = _BODY.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise template.TemplateSyntaxError(f"{path} is not an SVG icon.")
    return " ".join(match.group("body").split())


@register.simple_tag
def icon(name: str, extra_class: str = "") -> SafeString:
    """Decorative: hidden from assistive technology; the link or button carries the words."""
    classes = f"icon icon--{name} {extra_class}".strip()
    return format_html(
        '<svg class="{}" xmlns="http://www.w3.org/2000/svg" width="24" height="24" '
        'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">'
        "{}</svg>",
        classes,
        mark_safe(_icon_body(name)),  # noqa: S308 - our own vendored file, checked by name
    )


def style_icons() -> list[str]:
    """Every vendored icon's name, for the style page."""
    return [path.stem for path in ICON_DIR.glob("*.svg")]
