"""The admin area's warning when safeguarding alerts fail or no lead can be reached."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.roles import Capability, user_can
from moderation.alerts import alert_health, leads_failing

register = template.Library()


@register.inclusion_tag("backoffice/_safeguarding_alerts.html", takes_context=True)
def safeguarding_alert_warning(context: template.Context) -> dict[str, Any]:
    """Shown to leads and to admins (who manage staff); says nothing about any concern."""
    user = context.get("user")
    is_lead = user_can(user, Capability.SAFEGUARD)
    can_invite = user_can(user, Capability.INVITE_STAFF)
    if not (is_lead or can_invite):
        return {"health": None}
    health = alert_health()
    return {
        "health": health,
        "leads_failing": leads_failing() if health.failing else [],
        "is_lead": is_lead,
        "can_invite": can_invite,
    }
