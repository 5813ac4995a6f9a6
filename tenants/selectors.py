"""Reads for organisations."""

from __future__ import annotations

from tenants.models import Tenant


def tenant_get_by_slug(*, slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def tenant_primary_host(*, tenant: Tenant) -> str:
    domain = tenant.domains.filter(is_primary=True).first()
    return str(domain.domain) if domain else ""
