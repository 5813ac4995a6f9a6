"""The admin area's rail: the sections this role may open, with what waits in each."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.roles import Capability, user_can
from backoffice.navigation import nav_for
from dialogues.selectors import ideas_awaiting_response_count, queue_count
from moderation.selectors import safeguarding_open_count

register = template.Library()


def rail_counts(user: object) -> dict[str, int]:
    """Only the counts this person's role may see: a moderator never learns of concerns."""
    counts: dict[str, int] = {}
    if user_can(user, Capability.MODERATE):
        counts["held"] = queue_count()
    if user_can(user, Capability.SAFEGUARD):
        counts["concerns"] = safeguarding_open_count()
    if user_can(user, Capability.RESPOND):
        counts["awaiting"] = ideas_awaiting_response_count()
    return counts


@register.inclusion_tag("backoffice/_rail.html", takes_context=True)
def manage_rail(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {"sections": nav_for(request, rail_counts(request.user))}
