"""Reads for organisations."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from tenants.models import Signup, Tenant, slug_problem


def tenant_primary_host(*, tenant: Tenant) -> str:
    domain = tenant.domains.filter(is_primary=True).first()
    return str(domain.domain) if domain else ""


def central_base_url() -> str:
    """The central site's address, for links in emails to platform staff."""
    return _base_url(settings.ROOT_DOMAIN)


def tenant_base_url(*, tenant: Tenant) -> str:
    """The address residents use for this tenant, for links in emails."""
    return _base_url(tenant_primary_host(tenant=tenant) or settings.ROOT_DOMAIN)


def current_base_url() -> str:
    """The canonical address of the site this connection serves, whatever Host a request
    named: links in every email are built on it."""
    tenant = connection.tenant  # type: ignore[attr-defined]
    if not isinstance(tenant, Tenant):
        # schema_context() sets a stand-in that knows its schema name only.
        schema = connection.schema_name  # type: ignore[attr-defined]
        tenant = Tenant.objects.filter(schema_name=schema).first()
    return tenant_base_url(tenant=tenant) if tenant is not None else central_base_url()


def _base_url(host: str) -> str:
    scheme = "https" if settings.HTTPS else "http"
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{scheme}://{host}{port}"


def tenant_base_url_from(*, tenant: Tenant, request: HttpRequest) -> str:
    """The tenant's address as seen from a page of ours: same scheme and port as the request."""
    _, colon, port = request.get_host().rpartition(":")
    suffix = f":{port}" if colon and port.isdigit() else ""
    return f"{request.scheme}://{tenant_primary_host(tenant=tenant)}{suffix}"


def subdomain_problem(*, slug: str) -> str:
    """Why this subdomain cannot be had, or "" when it is free."""
    problem = slug_problem(slug)
    if problem:
        return problem
    taken = (
        Tenant.objects.filter(slug=slug).exists()
        or Signup.objects.filter(slug=slug, status__in=Signup.IN_FLIGHT).exists()
    )
    return f"“{slug}” is already taken. Please choose another name." if taken else ""
