"""The admin area's rail: the sections this role may open, with what waits in each."""

from __future__ import annotations

from typing import Any

from django import template

from backoffice.navigation import nav_for, waiting_counts_of

register = template.Library()


@register.inclusion_tag("backoffice/_rail.html", takes_context=True)
def manage_rail(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {"sections": nav_for(request=request, counts=waiting_counts_of(request))}
