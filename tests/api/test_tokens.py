"""Personal access tokens: shown once, hashed at rest, scoped, expiring, revocable, and
meaning nothing on any other site."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from api.models import ApiToken
from api.services import MAX_TOKENS_PER_USER, TokenLimitError, token_create
from tenants.models import Tenant
from tests.api.conftest import ApiClient, host_of
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def _bearer(tenant: Tenant, value: str) -> ApiClient:
    return ApiClient(headers={"host": host_of(tenant), "authorization": value})


def test_a_token_reads_as_its_owner_and_is_kept_only_as_a_digest(
    tenant_a: Tenant, token_for: Callable[..., str]
) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="TokenOwner")
    secret = token_for(tenant_a, owner)
    assert secret.startswith("tsq_")
    assert len(secret) == 68
    me = _bearer(tenant_a, f"Bearer {secret}").get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "TokenOwner"
    with tenant_context(tenant_a):
        token = ApiToken.objects.get(user=owner)
        assert secret not in {token.digest, token.token_key}
        assert token.token_key == secret[:15]
        with connection.cursor() as cursor:
            cursor.execute("SELECT row_to_json(t)::text FROM api_apitoken t")
            assert all(secret not in row for (row,) in cursor.fetchall())
        assert token.last_used_at is not None


def test_a_token_made_on_one_site_is_unknown_on_another(
    tenant_a: Tenant, tenant_b: Tenant, token_for: Callable[..., str]
) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="OnlyOnAlpha")
    secret = token_for(tenant_a, owner)
    on_b = _bearer(tenant_b, f"Bearer {secret}").get("/api/v1/me/")
    assert on_b.status_code == 401
    assert on_b["Content-Type"] == "application/problem+json"
    assert on_b.json()["code"] == "authentication_failed"
    assert on_b["WWW-Authenticate"] == "Bearer"
    assert _bearer(tenant_b, f"Bearer {secret}").get("/api/v1/dialogues/").status_code == 401


def test_a_read_token_cannot_change_anything(
    tenant_a: Tenant, api_for: Callable[..., ApiClient]
) -> None:
    with tenant_context(tenant_a):
        reader = UserFactory.create(username="ReadsOnly")
    client = api_for(tenant_a, reader, scope="read")
    assert client.get("/api/v1/me/").status_code == 200
    refused = [
        client.post("/api/v1/dialogues/alpha-parks/ideas/", {"title": "t", "body": "b"}),
        client.patch("/api/v1/me/", {"email_notifications": "off"}),
        client.post("/api/v1/follows/", {"dialogue": "alpha-parks"}),
        client.delete("/api/v1/me/", {"password": PASSWORD, "content": "keep"}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert "may only read" in refused[0].json()["detail"]
    with tenant_context(tenant_a):
        assert User.objects.filter(pk=reader.pk).exists()
        assert not reader.ideas.exists()


def test_expired_and_revoked_tokens_are_refused(
    tenant_a: Tenant, client_as: Callable[..., Client]
) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="OldTokens")
        expired, expired_secret = token_create(user=owner, name="old", scope="read", valid_days=30)
        ApiToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(seconds=1))
        kept, kept_secret = token_create(user=owner, name="kept", scope="read", valid_days=None)
    assert _bearer(tenant_a, f"Bearer {expired_secret}").get("/api/v1/me/").status_code == 401
    assert _bearer(tenant_a, f"Bearer {kept_secret}").get("/api/v1/me/").status_code == 200
    page = client_as(tenant_a, owner)
    assert page.post(f"/accounts/api-tokens/{kept.token_key}/revoke/").status_code == 302
    assert _bearer(tenant_a, f"Bearer {kept_secret}").get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer tsq_abc",
        "Bearer tsq_" + "g" * 64,
        "Bearer tsq_" + "a" * 64 + " extra",
        "Bearer " + "a" * 68,
        "Bearer tsq_" + "é" * 32,
        "Bearer tsq_\x00" + "a" * 63,
    ],
)
def test_malformed_tokens_get_a_401_problem_never_a_500(tenant_a: Tenant, header: str) -> None:
    response = _bearer(tenant_a, header).get("/api/v1/dialogues/")
    assert response.status_code in {400, 401}
    assert response["Content-Type"] == "application/problem+json"


def test_the_token_page_shows_a_new_token_once_and_lists_it_without_its_secret(
    tenant_a: Tenant, client_as: Callable[..., Client]
) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="PageTokens")
    client = client_as(tenant_a, owner)
    made = client.post(
        "/accounts/api-tokens/", {"name": "Dashboard", "scope": "read", "valid_days": "30"}
    )
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    body = made.content.decode()
    with tenant_context(tenant_a):
        token = ApiToken.objects.get(user=owner)
    secret = body.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert secret.startswith(token.token_key)
    assert token.name == "Dashboard"
    assert token.scope == "read"
    assert token.expiry is not None
    assert timedelta(days=29) < token.expiry - timezone.now() <= timedelta(days=30)
    listed = client.get("/accounts/api-tokens/").content.decode()
    assert "Dashboard" in listed
    assert token.token_key in listed
    assert secret not in listed
    assert _bearer(tenant_a, f"Bearer {secret}").get("/api/v1/me/").status_code == 200


def test_the_token_page_refuses_a_nameless_token_and_makes_nothing(
    tenant_a: Tenant, client_as: Callable[..., Client]
) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="NoNameToken")
    response = client_as(tenant_a, owner).post(
        "/accounts/api-tokens/", {"name": "  ", "scope": "everything", "valid_days": "7"}
    )
    assert response.status_code == 400
    with tenant_context(tenant_a):
        assert not ApiToken.objects.filter(user=owner).exists()


def test_one_person_has_at_most_twenty_tokens(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="ManyTokens")
        for _ in range(MAX_TOKENS_PER_USER):
            token_create(user=owner, name="n", scope="read", valid_days=None)
        with pytest.raises(TokenLimitError):
            token_create(user=owner, name="n", scope="read", valid_days=None)


def test_someone_elses_token_cannot_be_revoked(
    tenant_a: Tenant, client_as: Callable[..., Client]
) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="KeepsToken")
        other = UserFactory.create(username="TriesToRevoke")
        token, _ = token_create(user=owner, name="mine", scope="read", valid_days=None)
    client_as(tenant_a, other).post(f"/accounts/api-tokens/{token.token_key}/revoke/")
    with tenant_context(tenant_a):
        assert ApiToken.objects.filter(pk=token.pk).exists()


def test_deleting_the_account_deletes_its_tokens(
    tenant_a: Tenant, token_for: Callable[..., str]
) -> None:
    with tenant_context(tenant_a):
        owner = UserFactory.create(username="LeavesWithTokens")
    secret = token_for(tenant_a, owner)
    gone = _bearer(tenant_a, f"Bearer {secret}").delete(
        "/api/v1/me/", {"password": PASSWORD, "content": "keep"}
    )
    assert gone.status_code == 204
    with tenant_context(tenant_a):
        assert not User.objects.filter(pk=owner.pk).exists()
        assert not ApiToken.objects.filter(user_id=owner.pk).exists()
    assert _bearer(tenant_a, f"Bearer {secret}").get("/api/v1/me/").status_code == 401


def test_the_session_writes_only_with_its_csrf_token(tenant_a: Tenant) -> None:
    with tenant_context(tenant_a):
        resident = UserFactory.create(username="SessionWriter")
    client = ApiClient(headers={"host": host_of(tenant_a)}, enforce_csrf_checks=True)
    with tenant_context(tenant_a):
        client.force_login(resident)
    refused = client.patch("/api/v1/me/", {"email_notifications": "off"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/accounts/api-tokens/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    allowed = client.patch(
        "/api/v1/me/", {"email_notifications": "off"}, headers={"x-csrftoken": csrf}
    )
    assert allowed.status_code == 200
    assert allowed.json()["email_notifications"] == "off"


def test_on_the_central_site_only_platform_staff_with_two_factors_have_tokens(
    client_for: Callable[..., Client], platform_staff: Client
) -> None:
    resident_like = User.objects.create_user(username="CentralNobody", password=PASSWORD)
    client = client_for(None)
    client.force_login(resident_like)
    assert client.get("/accounts/api-tokens/").status_code == 404
    assert platform_staff.get("/accounts/api-tokens/").status_code == 200
