"""Template tags for refusals by the plan: the upgrade link, for those who can use it."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.roles import Capability, user_can
from billing.entitlements import billing_url

register = template.Library()


@register.simple_tag(takes_context=True)
def upgrade_link(context: template.Context) -> SafeString:
    """A link to the billing page for admins; other staff are told who can upgrade."""
    if user_can(context.get("user"), Capability.MANAGE_BILLING):
        return format_html('<a href="{}">See plans and upgrade</a>', billing_url())
    return format_html("{}", "Ask an admin to upgrade.")


@register.filter
def plan_limited(form: Any) -> bool:
    """Whether the plan refused something this form asked for."""
    if not isinstance(form, forms.BaseForm):
        return False
    return any(
        error.code == "plan_limit" for errors in form.errors.as_data().values() for error in errors
    )
