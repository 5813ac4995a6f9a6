"""Every /manage/ view names the one capability it needs; others get 403 (or sign in)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.roles import Capability, user_can

View = Callable[..., HttpResponse]


def capability_required(capability: Capability | None) -> Callable[[View], View]:
    """None means any staff role."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            allowed = (
                bool(getattr(user, "is_tenant_staff", False))
                if capability is None
                else user_can(user, capability)
            )
            if not allowed:
                raise PermissionDenied("Your role does not include this.")
            return view(request, *args, **kwargs)

        # The admin menu reads this, so it never offers a page the role would be refused.
        wrapped.required_capability = capability  # type: ignore[attr-defined]
        wrapped.staff_only = True  # type: ignore[attr-defined]
        return wrapped

    return decorate
