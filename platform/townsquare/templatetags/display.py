"""How pages show a length of time, a username's avatar and a star rating."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from townsquare.templatetags.icons import icon

register = template.Library()

# Dark enough for white initials at WCAG AA (each at least 5:1 against #ffffff).
AVATAR_COLOURS = (
    "#1d4e89", "#2e6b30", "#8a3b12", "#6a3d9a", "#0f6b6b", "#9b2c5a", "#5c5a12", "#7a4a00",
)  # fmt: skip


@register.filter
def duration_words(value: timedelta | None) -> str:
    """ "3 days 4 hours", "5 hours 10 minutes", "12 minutes", "under a minute"."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 60 * 24)
    hours, minutes = divmod(minutes, 60)

    def words(count: int, unit: str) -> str:
        return f"{count} {unit}{'' if count == 1 else 's'}"

    if days:
        return words(days, "day") + (f" {words(hours, 'hour')}" if hours else "")
    if hours:
        return words(hours, "hour") + (f" {words(minutes, 'minute')}" if minutes else "")
    return words(minutes, "minute") if minutes else "under a minute"


def avatar_initials(username: str) -> str:
    """ "QuietFox42" → "QF", "sam" → "SA": the first letter and the next capital (or letter)."""
    letters = [c for c in username if c.isalnum()]
    if not letters:
        return "?"
    second = next((c for c in letters[1:] if c.isupper()), letters[1] if len(letters) > 1 else "")
    return (letters[0] + second).upper()


def avatar_colour(username: str) -> str:
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


@register.simple_tag
def star_rating(average: float | Decimal | None, count: int = 0) -> SafeString:
    """Five stars filled to the nearest half; the words are what a screen reader hears."""
    if not count or average is None:
        return format_html('<span class="star-rating star-rating--none">{}</span>', "Not rated yet")
    halves = int((Decimal(str(average)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    shapes = []
    for position in range(1, 6):
        if halves >= position * 2:
            shapes.append((icon("star", "star--full"),))
        elif halves == position * 2 - 1:
            half = format_html(
                '<span class="star-stack">{}{}</span>',
                icon("star", "star--empty"),
                icon("star-half", "star--full"),
            )
            shapes.append((half,))
        else:
            shapes.append((icon("star", "star--empty"),))
    label = f"Rated {average} out of 5 from {count} rating{'' if count == 1 else 's'}"
    return format_html(
        '<span class="star-rating" role="img" aria-label="{}">{}</span>'
        '<span class="star-rating__count" aria-hidden="true">{} · {} rating{}</span>',
        label,
        format_html_join("", "{}", shapes),
        average,
        count,
        "" if count == 1 else "s",
    )
