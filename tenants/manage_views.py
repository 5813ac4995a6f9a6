"""The admin area's page of the site's addresses: its Townsquare address and the
organisation's own domains, added, proved by a DNS record, and removed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import Capability
from backoffice.access import capability_required
from billing.entitlements import Feature, PlanLimitError, entitlement_check
from billing.plans import plan_get
from tenants import services
from tenants.models import Domain, Tenant
from tenants.selectors import tenant_base_url_from, tenant_domains, tenant_primary_host

MAX_DOMAIN_LENGTH = 253


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    return tenant


def _plan_refusal(tenant: Tenant) -> str:
    try:
        entitlement_check(Feature.CUSTOM_DOMAIN, plan=plan_get(tenant.plan))
    except PlanLimitError as refusal:
        return str(refusal.message)
    return ""


@capability_required(Capability.MANAGE_DOMAINS)
def domains(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    context = {
        "domains": tenant_domains(tenant=tenant),
        "address": tenant_primary_host(tenant=tenant),
        "plan_refusal": _plan_refusal(tenant),
        "root_domain": settings.ROOT_DOMAIN,
        "value": "",
        "error": "",
    }
    return render(request, "tenants/manage/domains.html", context)


@require_POST
@capability_required(Capability.MANAGE_DOMAINS)
def domain_add(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    value = request.POST.get("domain", "")[:MAX_DOMAIN_LENGTH]
    try:
        domain = services.domain_add(tenant=tenant, domain=value)
    except ValidationError as error:
        context = {
            "domains": tenant_domains(tenant=tenant),
            "address": tenant_primary_host(tenant=tenant),
            "plan_refusal": _plan_refusal(tenant),
            "root_domain": settings.ROOT_DOMAIN,
            "value": value,
            "error": " ".join(error.messages),
        }
        return render(request, "tenants/manage/domains.html", context, status=400)
    messages.success(
        request,
        f"{domain.domain} is added. Add the DNS record shown beside it, then choose “Check now”.",
    )
    return redirect("domains:list")


@require_POST
@capability_required(Capability.MANAGE_DOMAINS)
def domain_check(request: HttpRequest, domain_id: int) -> HttpResponse:
    domain = Domain.objects.filter(pk=domain_id, tenant=_tenant(request)).first()
    if domain is None or domain.is_ours:
        messages.error(request, "That domain is not one of this site's own.")
    elif services.domain_verify(domain=domain):
        messages.success(
            request,
            f"{domain.domain} is verified: the site answers there, and its Townsquare "
            "address now leads to it.",
        )
    else:
        messages.error(request, f"{domain.domain} is not verified yet. {domain.check_result}")
    return redirect("domains:list")


@require_POST
@capability_required(Capability.MANAGE_DOMAINS)
def domain_remove(request: HttpRequest, domain_id: int) -> HttpResponse:
    try:
        host = services.domain_remove(tenant=_tenant(request), domain_id=domain_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{host} is removed: the site no longer answers there.")
        # The page may have been reached on the domain just removed: go on at the address
        # that still answers.
        tenant = _tenant(request)
        return redirect(
            tenant_base_url_from(tenant=tenant, request=request) + reverse("domains:list")
        )
    return redirect("domains:list")
