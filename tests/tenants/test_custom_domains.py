"""An organisation's own domain: added by an admin, proved by a DNS TXT record (asked of a
local DNS server through the real resolver), then answering with a certificate while the
Townsquare address leads to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context
from pytest_django.fixtures import Settings

from accounts.models import User
from tenants.models import Domain, Tenant
from tenants.selectors import tenant_base_url
from tenants.services import domain_add, domain_verify, domains_check_pending
from tests.factories import UserFactory
from tests.harness.dns_server import DnsServer
from townsquare.middleware import tenant_cache_clear

pytestmark = pytest.mark.django_db

HOST = "voices.example.org"


@pytest.fixture(scope="module")
def dns_server() -> Iterator[DnsServer]:
    with DnsServer().running() as server:
        yield server


@pytest.fixture
def dns(dns_server: DnsServer, settings: Settings) -> Iterator[DnsServer]:
    settings.DNS_NAMESERVERS = [("127.0.0.1", dns_server.port)]
    dns_server.txt.clear()
    yield dns_server
    dns_server.txt.clear()


@pytest.fixture(autouse=True)
def _forget_hosts() -> Iterator[None]:
    # The test's rows are rolled back without the signals that clear the host cache.
    tenant_cache_clear()
    yield
    tenant_cache_clear()


def _signed_in(tenant: Tenant, role: str) -> Client:
    client = Client(headers={"host": f"{tenant.slug}.localhost"})
    with tenant_context(tenant):
        client.force_login(UserFactory.create(username=f"Dom{uuid.uuid4().hex[:10]}", role=role))
    return client


@pytest.fixture
def admin(tenant_a: Tenant) -> Client:
    return _signed_in(tenant_a, User.Role.ADMIN)


def _on(host: str) -> Client:
    return Client(headers={"host": host})


def _pending(tenant: Tenant) -> Domain:
    return Domain.objects.get(tenant=tenant, domain=HOST)


def test_a_domain_answers_only_once_its_txt_record_proves_it(
    admin: Client, tenant_a: Tenant, dns: DnsServer
) -> None:
    added = admin.post("/manage/domains/add/", {"domain": " Voices.Example.org. "})
    assert added.status_code == 302
    domain = _pending(tenant_a)
    page = admin.get("/manage/domains/").content.decode()
    assert domain.record_name == f"_townsquare.{HOST}"
    assert domain.record_name in page
    assert domain.record_value in page
    assert f"{tenant_a.slug}." in page  # where the CNAME points

    # Not proved yet: no page, no certificate, and nothing says whose it would be.
    unproved = _on(HOST).get("/")
    assert unproved.status_code == 404
    assert unproved.content == b""
    assert _on("localhost").get("/tls-allowed", {"domain": HOST}).status_code == 404

    checked = admin.post(f"/manage/domains/{domain.pk}/check/", follow=True)
    assert f"No TXT record at _townsquare.{HOST} yet" in checked.content.decode()
    dns.txt[domain.record_name] = ["townsquare-verify=someone-elses-token"]
    checked = admin.post(f"/manage/domains/{domain.pk}/check/", follow=True)
    assert "but not the value shown here" in checked.content.decode()
    assert _pending(tenant_a).verified_at is None

    dns.txt[domain.record_name] = ["v=spf1 -all", domain.record_value]
    checked = admin.post(f"/manage/domains/{domain.pk}/check/")
    assert checked.status_code == 302
    assert _pending(tenant_a).verified_at is not None
    assert dns.questions[-1] == f"_townsquare.{HOST}"

    assert _on("localhost").get("/tls-allowed", {"domain": HOST}).status_code == 200
    home = _on(HOST).get("/")
    assert home.status_code == 200
    assert tenant_a.name in home.content.decode()
    # The Townsquare address leads there, keeping the path and query, for any method.
    moved = _on(f"{tenant_a.slug}.localhost").get("/dialogues/?sort=new")
    assert moved.status_code == 307
    assert moved["Location"] == f"http://{HOST}/dialogues/?sort=new"
    posted = _on(f"{tenant_a.slug}.localhost:8000").post("/accounts/login/")
    assert posted.status_code == 307
    # Links in emails use it too.
    assert tenant_base_url(tenant=tenant_a).startswith(f"http://{HOST}")


def test_removing_the_domain_returns_the_site_to_its_townsquare_address(
    admin: Client, tenant_a: Tenant, dns: DnsServer
) -> None:
    domain = domain_add(tenant=tenant_a, domain=HOST)
    dns.txt[domain.record_name] = [domain.record_value]
    assert domain_verify(domain=domain)
    removed = admin.post(f"/manage/domains/{domain.pk}/remove/", HTTP_HOST=HOST, follow=True)
    assert removed.status_code == 200
    assert f"{HOST} is removed" in removed.content.decode()
    assert not Domain.objects.filter(domain=HOST).exists()
    assert _on(HOST).get("/").status_code == 404
    assert _on("localhost").get("/tls-allowed", {"domain": HOST}).status_code == 404
    assert _on(f"{tenant_a.slug}.localhost").get("/").status_code == 200


@pytest.mark.parametrize("spelling", [HOST, "VOICES.example.org", "www.voices.example.org."])
def test_a_domain_another_site_has_or_waits_for_is_refused(
    tenant_a: Tenant, tenant_b: Tenant, spelling: str
) -> None:
    domain_add(tenant=tenant_a, domain=HOST)
    with pytest.raises(ValidationError, match="already the address of a site"):
        domain_add(tenant=tenant_b, domain=spelling)
    assert list(Domain.objects.filter(domain=HOST).values_list("tenant", flat=True)) == [
        tenant_a.pk
    ]


def test_a_claim_left_unproved_for_a_week_no_longer_blocks_the_name(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    stale = domain_add(tenant=tenant_a, domain=HOST)
    Domain.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=8))
    claimed = domain_add(tenant=tenant_b, domain=HOST)
    assert claimed.tenant_id == tenant_b.pk
    assert claimed.verification_token != stale.verification_token


def test_the_sites_own_addresses_cannot_be_added_or_removed(
    admin: Client, tenant_a: Tenant
) -> None:
    refused = admin.post("/manage/domains/add/", {"domain": "beta.localhost"})
    assert refused.status_code == 400
    assert "are Townsquare&#x27;s own" in refused.content.decode()
    assert 'aria-invalid="true"' in refused.content.decode()
    own = Domain.objects.get(tenant=tenant_a, is_primary=True)
    admin.post(f"/manage/domains/{own.pk}/remove/")
    assert Domain.objects.filter(pk=own.pk).exists()
    other = Domain.objects.get(domain="beta.localhost")
    admin.post(f"/manage/domains/{other.pk}/remove/")
    assert Domain.objects.filter(pk=other.pk).exists()


def test_dns_not_answering_changes_nothing_and_says_so(
    tenant_a: Tenant, settings: Settings, dns_server: DnsServer
) -> None:
    domain = domain_add(tenant=tenant_a, domain=HOST)
    settings.DNS_NAMESERVERS = [("127.0.0.1", 9)]  # discard: nothing answers
    assert not domain_verify(domain=domain)
    assert _pending(tenant_a).verified_at is None
    assert _pending(tenant_a).check_result.startswith("DNS did not answer just now")


def test_the_beat_checks_waiting_domains_and_lets_go_of_old_ones(
    tenant_a: Tenant, tenant_b: Tenant, dns: DnsServer
) -> None:
    proved = domain_add(tenant=tenant_a, domain=HOST)
    dns.txt[proved.record_name] = [proved.record_value]
    waiting = domain_add(tenant=tenant_a, domain="later.example.org")
    abandoned = domain_add(tenant=tenant_b, domain="abandoned.example.org")
    Domain.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert domains_check_pending() == 1
    assert Domain.objects.get(pk=proved.pk).verified_at is not None
    assert Domain.objects.get(pk=waiting.pk).verified_at is None
    assert not Domain.objects.filter(pk=abandoned.pk).exists()


def test_a_plan_without_custom_domains_says_which_does(admin: Client, tenant_a: Tenant) -> None:
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant_a.pk).update(plan="trial")
    tenant_cache_clear()
    page = admin.get("/manage/domains/").content.decode()
    assert "See plans and upgrade" in page
    assert 'name="domain"' not in page
    refused = admin.post("/manage/domains/add/", {"domain": HOST})
    assert refused.status_code == 400
    assert not Domain.objects.filter(domain=HOST).exists()


@pytest.mark.parametrize("role", [User.Role.MODERATOR, User.Role.ANALYST, ""])
def test_only_admins_manage_the_sites_addresses(tenant_a: Tenant, role: str) -> None:
    client = _signed_in(tenant_a, role)
    assert client.get("/manage/domains/").status_code == 403
    assert client.post("/manage/domains/add/", {"domain": HOST}).status_code == 403
    assert not Domain.objects.filter(domain=HOST).exists()
