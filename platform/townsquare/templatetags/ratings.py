"""`{% star_rating average count %}`: a rating shown as five stars, with its words."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from townsquare.templatetags.icons import icon

register = template.Library()


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
