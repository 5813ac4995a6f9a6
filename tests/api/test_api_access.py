"""Who the API lets in and how fast: session sign-in only, and a per-tenant request limit."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from pytest_django.fixtures import Settings

from tenants.models import Tenant
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def _basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"authorization": f"Basic {token}"}


@pytest.fixture
def api_rates(settings: Settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute", "token": "5/minute"},
    }


def test_basic_credentials_neither_sign_in_nor_tell_a_right_password_from_a_wrong_one(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        UserFactory.create(username="BasicGuess")
    client = client_for(tenant_a)

    right = client.get("/api/v1/dialogues/", headers=_basic("BasicGuess", PASSWORD))
    wrong = client.get("/api/v1/dialogues/", headers=_basic("BasicGuess", "not-the-password"))
    assert (right.status_code, wrong.status_code) == (200, 200)
    assert "WWW-Authenticate" not in wrong
    # With the right password the request is still anonymous: writing asks for a token
    # (401, Bearer), where a signed-in caller would hear the method is not allowed.
    write = client.post(
        "/api/v1/dialogues/", {"title": "x"}, headers=_basic("BasicGuess", PASSWORD)
    )
    assert write.status_code == 401
    assert write["WWW-Authenticate"] == "Bearer"


def test_a_signed_in_session_still_reaches_the_api(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(username="SessionReader"))
    assert client.get("/api/v1/dialogues/").status_code == 200
    assert client.post("/api/v1/dialogues/", {"title": "x"}).status_code == 405


@pytest.mark.usefixtures("api_rates")
def test_anonymous_callers_over_the_limit_wait_whatever_address_they_claim(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client = client_for(tenant_a, REMOTE_ADDR="198.51.100.20")
    statuses = [
        # Behind no proxy, X-Forwarded-For is the caller's own claim and changes nothing.
        client.get("/api/v1/dialogues/", headers={"x-forwarded-for": f"203.0.113.{n}"})
        for n in range(4)
    ]
    assert [response.status_code for response in statuses] == [200, 200, 200, 429]
    assert 0 < int(statuses[-1]["Retry-After"]) <= 60
    assert client_for(tenant_a, REMOTE_ADDR="198.51.100.21").get("/api/v1/").status_code == 200


@pytest.mark.usefixtures("api_rates")
def test_the_limit_is_counted_per_tenant(
    client_for: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    on_a = client_for(tenant_a, REMOTE_ADDR="198.51.100.30")
    assert [on_a.get("/api/v1/dialogues/").status_code for _ in range(4)][-1] == 429
    on_b = client_for(tenant_b, REMOTE_ADDR="198.51.100.30")
    assert on_b.get("/api/v1/dialogues/").status_code == 200


@pytest.mark.usefixtures("api_rates")
def test_signed_in_callers_have_their_own_limit(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client = client_for(tenant_a, REMOTE_ADDR="198.51.100.40")
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(username="BusyReader"))
    statuses = [client.get("/api/v1/dialogues/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
