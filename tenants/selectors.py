"""Reads for organisations."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from tenants.models import DemoRequest, Domain, Signup, Tenant, slug_problem


def tenant_primary_host(*, tenant: Tenant) -> str:
    """The address residents are sent to: the organisation's own domain once it is verified
    (the first, if several), otherwise the site's Townsquare address."""
    domains = tenant.domains.filter(verified_at__isnull=False).order_by("verified_at", "pk")
    chosen = next((d for d in domains if not d.is_primary), None) or next(
        (d for d in domains if d.is_primary), None
    )
    return str(chosen.domain) if chosen else ""


def tenant_domains(*, tenant: Tenant) -> list[Domain]:
    """The site's addresses for its admins: the Townsquare one first, then its own domains."""
    return sorted(tenant.domains.all(), key=lambda d: (not d.is_primary, d.created_at, d.pk))


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


def tenants_listed() -> QuerySet[Tenant]:
    """Organisations' sites (never the central site), with what a staff row shows fetched
    up front."""
    return (
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .select_related("usage", "billing")
        .prefetch_related("domains")
    )


@dataclass(frozen=True)
class SiteLookup:
    """What is at a slug: the site and its latest sign-up, a sign-up still waiting for the
    worker (no site yet), or the failed sign-up that left nothing behind."""

    tenant: Tenant | None
    signup: Signup | None
    failed: Signup | None = None


def site_lookup(*, slug: str) -> SiteLookup:
    tenant = tenants_listed().filter(slug=slug).first()
    if tenant is not None:
        return SiteLookup(tenant, tenant.signups.order_by("-created_at", "-id").first())
    signups = Signup.objects.filter(slug=slug).order_by("-created_at", "-id")
    waiting = signups.filter(status__in=Signup.IN_FLIGHT).first()
    if waiting is not None:
        return SiteLookup(None, waiting)
    return SiteLookup(None, None, signups.filter(status=Signup.Status.FAILED).first())


def demo_requests_listed() -> QuerySet[DemoRequest]:
    return DemoRequest.objects.select_related("owner").prefetch_related("signups")
