"""Billing in every page: read-only for residents; the plan and trial for the site's staff."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from billing.selectors import billing_status
from tenants.models import Tenant


def billing(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if not isinstance(tenant, Tenant) or tenant.is_public:
        return {}
    context: dict[str, Any] = {"site_read_only": tenant.status == Tenant.Status.READ_ONLY}
    if request.path.startswith("/manage/") and getattr(request.user, "is_tenant_staff", False):
        # Every /manage/ page says the plan and the trial's days; lazy, read when shown.
        context["billing"] = SimpleLazyObject(
            lambda: billing_status(tenant=tenant, now=timezone.now())
        )
    return context
