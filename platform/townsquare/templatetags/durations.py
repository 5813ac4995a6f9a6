"""How pages write a length of time: in the largest units that read naturally."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()


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


@register.filter
def age_words(value: datetime | None) -> str:
    """How long ago, in the same words: "waiting 3 minutes", not "0 minutes"."""
    return duration_words(timezone.now() - value) if value is not None else ""
