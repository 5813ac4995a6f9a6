"""Requests on their way in: refused if they carry a NUL, then routed to a tenant by host."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    HttpResponseRedirect,
)
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from tenants.models import Domain, Tenant
from tenants.selectors import tenant_primary_host
from townsquare.csp import csp_for
from townsquare.lib.memo import TtlMemo
from townsquare.lib.problems import API_PREFIX, problem_response

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

    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        # Host names are case-insensitive and may end in the root's dot; get_host() refuses
        # a malformed one, and the site is looked up in the same lower-case, dot-stripped
        # form Django compares hosts in.
        domain, _port = split_domain_port(request.get_host())
        return str(remove_www(domain))

    def get_tenant(self, domain_model: type[Domain], hostname: str) -> Tenant:
        tenant = _tenants.get(hostname)
        if tenant is None:
            # An organisation's own domain answers only once its DNS record proved it theirs.
            domain = domain_model.objects.select_related("tenant").get(
                domain=hostname, verified_at__isnull=False
            )
            tenant = domain.tenant
            # The same for every host of the site, so safe to keep on the shared object.
            tenant.address = tenant_primary_host(tenant=tenant)
            # Only settled sites are remembered: a site being provisioned by the worker
            # must answer as soon as it is ready, not up to a TTL later.
            if tenant.status != Tenant.Status.PROVISIONING:
                _tenants.set(hostname, tenant)
        return tenant

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        root = settings.ROOT_DOMAIN
        if hostname != root and not hostname.endswith(f".{root}"):
            # Neither ours nor any site's proved domain: nothing of Townsquare, not its name.
            return HttpResponseNotFound()
        if request.path_info.startswith(API_PREFIX):
            return problem_response(404, "There is no site at this address.", "no_site")
        html = render_to_string("townsquare/no_site.html", {"hostname": hostname}, request=None)
        return HttpResponse(html, status=404)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response: HttpResponse | None = super().process_request(request)
        if response is not None:
            return response
        tenant: Tenant = request.tenant  # type: ignore[attr-defined]
        address = getattr(tenant, "address", "")
        if address and self.hostname_from_request(request) != address and not tenant.is_public:
            # The site has its own domain now: its other addresses lead there, path and all.
            _, colon, port = request.get_host().rpartition(":")
            suffix = f":{port}" if colon and port.isdigit() else ""
            return HttpResponseRedirect(
                f"{request.scheme}://{address}{suffix}{request.get_full_path()}", status=307
            )
        if tenant.is_public or tenant.status in _OPEN_STATUSES:
            return None
        if _settling_up(tenant, request):
            return None
        if request.path_info.startswith(API_PREFIX):
            response = problem_response(
                503, "This site is not available at the moment.", "site_unavailable"
            )
            response["Retry-After"] = "3600"
            return response
        html = render_to_string(
            "townsquare/site_unavailable.html", {"tenant": tenant, "unpaid": _unpaid(tenant)}
        )
        return HttpResponse(html, status=503, headers={"Retry-After": "3600"})


# Read-only sites answer (residents read; posting is refused further in, with the reason).
_OPEN_STATUSES = {Tenant.Status.ACTIVE, Tenant.Status.READ_ONLY}
# What an admin needs on a site suspended for want of payment: to sign in and to pay.
_SETTLING_PATHS = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/manage/billing/",
)


def _unpaid(tenant: Tenant) -> bool:
    return tenant.status == Tenant.Status.SUSPENDED and tenant.held_by == Tenant.Hold.BILLING


def _settling_up(tenant: Tenant, request: HttpRequest) -> bool:
    return _unpaid(tenant) and request.path_info.startswith(_SETTLING_PATHS)


class NulCharacterMiddleware:
    """Refuses a NUL character in the path, query, cookies or a posted form with a plain 400.

    PostgreSQL can neither store nor compare text holding one, so a view would fail with a
    500; checking once here, before the tenant is even looked up, covers every view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            if request.path_info.startswith(API_PREFIX):
                return problem_response(
                    400, "The request holds a NUL character, which no field accepts.", "nul"
                )
            html = render_to_string("townsquare/400.html", request=None)
            response = HttpResponseBadRequest(html)
            # Returned before the CSP middleware runs: the page brings its own policy.
            response["Content-Security-Policy"] = csp_for(request)[0]
            return response
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return True
    # Form bodies only; the CSRF middleware reads them anyway, so nothing is read twice.
    fields = [request.GET]
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        if request.content_type == "multipart/form-data" and _fits_in_memory(request):
            # Parsed from the cached raw body, request.body stays readable to the view (as
            # after a url-encoded form); a larger upload is parsed from the stream as usual.
            request.body  # noqa: B018
        fields.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for data in fields
        for key, values in data.lists()
    )


def _fits_in_memory(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    length = request.META.get("CONTENT_LENGTH") or "0"
    return limit is None or (length.isdigit() and int(length) <= limit)


_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
