"""Who may use the API and do what: the plan, the token's scope, the site's state, the role."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.roles import Capability, user_can
from api.models import ApiToken
from api.problems import PlanRefused, Refused
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from billing.middleware import READ_ONLY_MESSAGE
from tenants.models import Tenant


class PlanIncludesApi(BasePermission):
    """403 with the plan's message and where to upgrade, for every caller, signed in or not,
    on a site whose plan has no API access."""

    def has_permission(self, request: Request, view: Any) -> bool:
        try:
            entitlement_check(Feature.API_ACCESS)
        except PlanLimitError as refusal:
            # Raised rather than returned False: DRF would answer "not authenticated" to an
            # anonymous caller and hide the reason.
            raise PlanRefused(refusal) from None
        return True


class TokenScope(BasePermission):
    """A read-only token reads; only a read-write token (or the session) may change things."""

    message = "This token may only read. Make a read-and-write token to change things."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if request.method in SAFE_METHODS or not isinstance(token, ApiToken):
            return True
        return token.can_write


class SiteTakesPosts(BasePermission):
    """On a read-only (unpaid) site residents read but do not post, as on its pages; staff
    go on working. Views that stay open (reports, a resident's own account and
    notifications) say so with `open_when_read_only`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        tenant = getattr(request._request, "tenant", None)
        if (
            request.method in SAFE_METHODS
            or getattr(view, "open_when_read_only", False)
            or not isinstance(tenant, Tenant)
            or tenant.status != Tenant.Status.READ_ONLY
            or getattr(request.user, "is_tenant_staff", False)
        ):
            return True
        raise Refused(READ_ONLY_MESSAGE)


class Can(BasePermission):
    """The staff capability a view needs (`required_capability`), as on the admin pages."""

    message = "Your role on this site does not include this."

    def has_permission(self, request: Request, view: Any) -> bool:
        capability: Capability | None = getattr(view, "required_capability", None)
        return capability is None or user_can(request.user, capability)
