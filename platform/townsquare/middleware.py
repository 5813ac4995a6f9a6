"""Tenant routing by host, with a friendly page for hosts that name no organisation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.models import Tenant


class TenantMiddleware(TenantMainMiddleware):
    """Picks the schema from the Host header; unknown or paused sites get a page, not an error."""

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        html = render_to_string("townsquare/no_site.html", {"hostname": hostname}, request=None)
        return HttpResponse(html, status=404)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response: HttpResponse | None = super().process_request(request)
        if response is not None:
            return response
        tenant: Tenant = request.tenant  # type: ignore[attr-defined]
        if not tenant.is_public and tenant.status != Tenant.Status.ACTIVE:
            html = render_to_string("townsquare/site_unavailable.html", {"tenant": tenant})
            return HttpResponse(html, status=503, headers={"Retry-After": "3600"})
        return None
