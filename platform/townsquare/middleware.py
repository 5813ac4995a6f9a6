"""Tenant routing by host, with a friendly page for hosts that name no organisation."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.models import Domain, Tenant
from townsquare.lib.memo import TtlMemo

# Host -> tenant, kept briefly in each process: live polling would otherwise cost a
# domain query per viewer every few seconds. Changes here clear it at once; changes made
# by other processes show within the TTL.
_tenants: TtlMemo[Tenant] = TtlMemo(ttl_seconds=10.0)


def tenant_cache_clear() -> None:
    _tenants.clear()


@receiver([post_save, post_delete], sender=Tenant)
@receiver([post_save, post_delete], sender=Domain)
def _forget_tenants(**kwargs: Any) -> None:
    tenant_cache_clear()


class TenantMiddleware(TenantMainMiddleware):
    """Picks the schema from the Host header; unknown or paused sites get a page, not an error."""

    def get_tenant(self, domain_model: type[Domain], hostname: str) -> Tenant:
        tenant = _tenants.get(hostname)
        if tenant is None:
            tenant = super().get_tenant(domain_model, hostname)
            # Only settled sites are remembered: a site being provisioned by the worker
            # must answer as soon as it is ready, not up to a TTL later.
            if tenant.status != Tenant.Status.PROVISIONING:
                _tenants.set(hostname, tenant)
        return tenant

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
