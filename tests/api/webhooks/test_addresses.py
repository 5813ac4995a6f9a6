"""Webhooks never reach loopback, private or link-local hosts unless the deploy allows it."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from pytest_django.fixtures import Settings

from api.webhooks import services
from api.webhooks.addresses import address_allowed, url_problem
from api.webhooks.models import Delivery, Endpoint, EventType
from tenants.models import Tenant
from tests.api.webhooks.receiver import Receiver

REFUSED_URLS = [
    "https://127.0.0.1/hooks",
    "https://127.8.9.10:8443/hooks",
    "https://localhost/hooks",
    "https://api.localhost/hooks",
    "https://10.1.2.3/hooks",
    "https://172.16.0.5/hooks",
    "https://192.168.1.1/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hooks",
    "https://0.0.0.0/hooks",
    "https://[::1]/hooks",
    "https://[::]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fd00::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[::ffff:8.8.8.8]/hooks",
    "https://224.0.0.1/hooks",
    "https://240.0.0.1/hooks",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_private_local_and_reserved_hosts_are_refused(url: str) -> None:
    assert "private, local or reserved" in url_problem(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://hooks.example.org/in", "Use an https:// address"),
        ("ftp://hooks.example.org/in", "starting with https://"),
        ("hooks.example.org/in", "starting with https://"),
        ("https://user:pw@hooks.example.org/in", "user name and password"),
        ("https://hooks.example.org/" + "a" * 500, "at most 500 characters"),
        ("https://hooks.example.org/a b", "spaces"),
        ("https://hooks.example.org:99999/", "full address"),
    ],
)
def test_other_bad_addresses_are_named(url: str, words: str) -> None:
    assert words in url_problem(url)


def test_public_addresses_are_accepted() -> None:
    assert url_problem("https://8.8.8.8/hooks") == ""
    assert url_problem("https://[2606:4700:4700::1111]/hooks") == ""
    # A name that does not resolve yet is checked again before every send.
    assert url_problem("https://hooks.invalid/in") == ""
    assert address_allowed("93.184.216.34")
    assert not address_allowed("not an address")


def test_private_addresses_and_http_are_allowed_only_when_the_deploy_says_so(
    settings: Settings,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert url_problem("http://127.0.0.1:8000/hooks") == ""
    assert url_problem("https://localhost/hooks") == ""


@pytest.mark.django_db
def test_a_host_resolving_to_loopback_when_sent_is_refused_without_connecting(
    tenant_a: Tenant, receiver: Receiver, settings: Settings
) -> None:
    """Saved while allowed (as if a public name later pointed at loopback), sent while not."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    with tenant_context(tenant_a):
        endpoint = services.endpoint_create(
            url=f"https://localhost:{receiver.port}/hooks",
            description="",
            event_types=[EventType.IDEA_PUBLISHED],
            by=None,
        )
        delivery = services.endpoint_ping(endpoint=endpoint)
        settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
        outcome = services.delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
    assert outcome.status == "failed"
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "BlockedAddressError"
    assert delivery.last_status_code is None
    assert receiver.connections == 0


@pytest.mark.django_db
def test_plain_http_is_refused_at_send_time_too(
    tenant_a: Tenant, receiver: Receiver, settings: Settings
) -> None:
    with tenant_context(tenant_a):
        endpoint = Endpoint.objects.create(
            url=receiver.url(), event_types=[EventType.IDEA_PUBLISHED], secret=services.secret_new()
        )
        delivery = services.endpoint_ping(endpoint=endpoint)
        outcome = services.delivery_attempt(delivery_id=delivery.pk)
    assert outcome.error == "SchemeRefusedError"
    assert receiver.connections == 0


def test_the_address_actually_connected_to_is_checked_before_anything_is_sent(
    receiver: Receiver,
) -> None:
    """What stops DNS rebinding: a name checked as public that then connects to loopback."""
    import socket

    from api.webhooks.addresses import BlockedAddressError
    from api.webhooks.sending import _guarded

    sock = socket.create_connection(("127.0.0.1", receiver.port))
    with pytest.raises(BlockedAddressError):
        _guarded(sock, "rebound.example.org")
    assert sock.fileno() == -1  # closed before a byte was written
    assert receiver.received == []
