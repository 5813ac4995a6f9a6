"""Requests reach the central site or a tenant by Host; unknown hosts get a friendly page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_root_domain_serves_the_central_site(client_for: Callable[..., Client]) -> None:
    response = client_for(None).get("/")
    assert response.status_code == 200
    assert b"Conversation, not consultation" in response.content


def test_each_subdomain_serves_its_own_tenant(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    page_a = client_for(tenant_a).get("/").content.decode()
    page_b = client_for(tenant_b).get("/").content.decode()
    assert "Alpha Community Partnership" in page_a
    assert "Beta Youth Forum" in page_b
    assert "Beta Youth Forum" not in page_a


def test_unknown_subdomain_gets_a_friendly_404() -> None:
    response = Client(headers={"host": "nobody-here.localhost"}).get("/")
    assert response.status_code == 404
    assert b"There is no site at this address" in response.content
    assert b"nobody-here.localhost" in response.content


def test_host_outside_the_root_domain_is_refused() -> None:
    response = Client(headers={"host": "evil.example"}).get("/")
    assert response.status_code == 404
    assert b"Townsquare" not in response.content


def test_unknown_path_on_a_tenant_gets_the_sites_404(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    response = client_for(tenant_a).get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Alpha Community Partnership" in response.content


def test_a_suspended_tenant_shows_a_holding_page(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    assert client_for(tenant_a).get("/").status_code == 200
    with schema_context("public"):
        tenant = Tenant.objects.get(pk=tenant_a.pk)
        tenant.status = Tenant.Status.SUSPENDED
        tenant.save()
    response = client_for(tenant_a).get("/")
    assert response.status_code == 503
    assert b"is not available right now" in response.content


def test_the_staff_console_lives_on_the_root_domain_only(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    assert client_for(None).get("/staff/login/")["Location"] == "/accounts/login/?next=%2Fstaff%2F"
    assert client_for(tenant_a).get("/staff/login/").status_code == 404


def test_no_template_syntax_leaks_into_pages(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    """A multi-line {# #} comment is not a comment in Django: it would show on the page."""
    for client, path in (
        (client_for(None), "/"),
        (client_for(tenant_a), "/"),
        (client_for(tenant_a), "/dialogues/alpha-parks/"),
        (client_for(tenant_a), "/accounts/signup/"),
    ):
        page = client.get(path).content.decode()
        for marker in ("{#", "#}", "{%", "%}", "{{", "}}"):
            assert marker not in page, f"{marker} shows on {path}"


def _host(pattern: str) -> str:
    """{root} is the root domain as configured, {ROOT} the same in capitals."""
    return pattern.format(root=settings.ROOT_DOMAIN, ROOT=settings.ROOT_DOMAIN.upper())


@pytest.mark.parametrize(
    "host", ["Alpha.{ROOT}", "alpha.{root}.", "ALPHA.{ROOT}.:8000", "www.Alpha.{root}"]
)
def test_a_tenant_host_is_matched_whatever_its_case_or_trailing_dot(
    tenant_a: Tenant, host: str
) -> None:
    response = Client(headers={"host": _host(host)}).get("/")
    assert response.status_code == 200
    assert "Alpha Community Partnership" in response.content.decode()


@pytest.mark.parametrize("host", ["{ROOT}", "{root}.", "{ROOT}.:8000"])
def test_the_root_domain_is_matched_whatever_its_case_or_trailing_dot(host: str) -> None:
    response = Client(headers={"host": _host(host)}).get("/")
    assert response.status_code == 200
    assert b"Conversation, not consultation" in response.content


@pytest.mark.parametrize(
    "host", ["alpha.{root}..", "alpha..{root}", "alpha.{root}.evil.example", "alpha%2e{root}"]
)
def test_a_host_that_only_resembles_a_tenant_reaches_no_site(tenant_a: Tenant, host: str) -> None:
    response = Client(headers={"host": _host(host)}).get("/")
    assert response.status_code in {400, 404}
    assert "Alpha Community Partnership" not in response.content.decode()
