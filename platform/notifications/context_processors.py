"""The unread-notification count shown in the header to signed-in residents."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User
from notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if not isinstance(user, User) or tenant is None or tenant.is_public:
        return {}
    # Lazy: only pages that render the header pay for the query.
    return {"unread_notifications": lambda: unread_count(user=user)}
