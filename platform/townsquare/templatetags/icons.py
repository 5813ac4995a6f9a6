"""`{% icon "name" %}`: a vendored Lucide icon drawn inline, so it takes the colour of its text."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from townsquare.lib.icons import UnknownIconError, icon_body

register = template.Library()


@register.simple_tag
def icon(name: str, extra_class: str = "") -> SafeString:
    """Decorative: hidden from assistive technology; the link or button carries the words."""
    try:
        body = icon_body(name)
    except UnknownIconError as error:
        raise template.TemplateSyntaxError(str(error)) from None
    classes = f"icon icon--{name} {extra_class}".strip()
    return format_html(
        '<svg class="{}" xmlns="http://www.w3.org/2000/svg" width="24" height="24" '
        'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">'
        "{}</svg>",
        classes,
        mark_safe(body),  # noqa: S308 - our own vendored file, checked by name
    )
