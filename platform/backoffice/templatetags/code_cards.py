"""Whether a join code still lets people join, so only such codes offer cards to print."""

from __future__ import annotations

from django import template

from accounts.models import InviteCode
from backoffice.card_views import code_is_active

register = template.Library()


@register.filter
def joinable(code: InviteCode) -> bool:
    return code_is_active(code)
