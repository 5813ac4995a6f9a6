"""`{% avatar name %}`: initials on a colour chosen by the username, never a photo."""

from __future__ import annotations

import hashlib

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Dark enough for white initials at WCAG AA (each at least 5:1 against #ffffff).
AVATAR_COLOURS = (
    "#1d4e89", "#2e6b30", "#8a3b12", "#6a3d9a", "#0f6b6b", "#9b2c5a", "#5c5a12", "#7a4a00",
)  # fmt: skip


def avatar_initials(username: str) -> str:
    """ "QuietFox42" → "QF", "sam" → "SA": the first letter and the next capital (or letter)."""
    letters = [c for c in username if c.isalnum()]
    if not letters:
        return "?"
    second = next((c for c in letters[1:] if c.isupper()), letters[1] if len(letters) > 1 else "")
    return (letters[0] + second).upper()


def avatar_colour(username: str) -> str:
    """The same colour for the same name, whatever its case."""
    digest = hashlib.blake2s(username.casefold().encode(), digest_size=2).digest()
    return AVATAR_COLOURS[int.from_bytes(digest, "big") % len(AVATAR_COLOURS)]


@register.simple_tag
def avatar(username: str, size: str = "") -> SafeString:
    """Initials on a colour chosen by the name: recognisable, never a photo, so nobody is
    identifiable. Decorative, since the name is always written beside it."""
    classes = f"avatar avatar--{size}" if size else "avatar"
    return format_html(
        '<svg class="{}" viewBox="0 0 40 40" aria-hidden="true" focusable="false">'
        '<circle cx="20" cy="20" r="20" fill="{}"/>'
        '<text x="20" y="20" dy="0.35em" text-anchor="middle" fill="#ffffff" '
        'font-size="16" font-weight="700" font-family="system-ui, sans-serif">{}</text></svg>',
        classes,
        avatar_colour(username),
        avatar_initials(username),
    )
