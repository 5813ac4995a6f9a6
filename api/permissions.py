"""Who may use the API: only sites whose plan includes it."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from billing.entitlements import Feature, PlanLimitError, entitlement_check


class PlanIncludesApi(BasePermission):
    """403 with the plan's message and where to upgrade, for every caller, signed in or not,
    on a site whose plan has no API access."""

    def has_permission(self, request: Request, view: Any) -> bool:
        try:
            entitlement_check(Feature.API_ACCESS)
        except PlanLimitError as refusal:
            # Raised rather than returned False: DRF would answer "not authenticated" to an
            # anonymous caller and hide the reason.
            raise PermissionDenied(
                {"detail": refusal.message, "upgrade_url": refusal.upgrade_url}
            ) from None
        return True
