"""The admin's webhook pages: admins only, forms that explain, the secret shown once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from api.webhooks import services
from api.webhooks.models import Delivery, Endpoint, EventType
from billing.plans import TRIAL
from tenants.models import Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/manage/webhooks/"


def _endpoint(tenant: Tenant, url: str = "https://8.8.8.8/hooks") -> Endpoint:
    with tenant_context(tenant):
        endpoint = Endpoint.objects.create(
            url=url, event_types=[EventType.IDEA_PUBLISHED], secret=services.secret_new()
        )
        delivery = Delivery.objects.create(
            endpoint=endpoint, event_type=EventType.PING, payload={}, status="failed"
        )
        endpoint.delivery_id = delivery.pk  # type: ignore[attr-defined]
        return endpoint


@pytest.mark.parametrize(
    "role",
    [User.Role.MODERATOR, User.Role.SAFEGUARDING, User.Role.ANALYST, User.Role.YOUTH_WORKER, ""],
)
def test_every_page_refuses_roles_other_than_admin(
    as_role: Callable[[str], Client], tenant_a: Tenant, role: str
) -> None:
    endpoint = _endpoint(tenant_a)
    client = as_role(role)
    pk = endpoint.pk
    pages = ["", "new/", f"{pk}/", f"{pk}/edit/", f"{pk}/delete/"]
    posts = ["new/", f"{pk}/edit/", f"{pk}/pause/", f"{pk}/resume/", f"{pk}/rotate/"]
    posts += [f"{pk}/test/", f"{pk}/delete/", f"{pk}/deliveries/{endpoint.delivery_id}/redeliver/"]  # type: ignore[attr-defined]
    for page in pages:
        assert client.get(BASE + page).status_code == 403, page
    for page in posts:
        assert client.post(BASE + page, {"url": "https://8.8.4.4/"}).status_code == 403, page
    with tenant_context(tenant_a):
        assert Endpoint.objects.filter(pk=pk, url="https://8.8.8.8/hooks").exists()


def test_signed_out_visitors_are_sent_to_sign_in(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    response = client_for(tenant_a).get(BASE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(
    as_role: Callable[[str], Client], tenant_a: Tenant
) -> None:
    client = as_role(User.Role.ADMIN)
    assert b"Webhooks" in client.get("/manage/").content  # in the admin menu
    response = client.post(
        BASE + "new/",
        {"url": "https://8.8.8.8/hooks", "description": "CRM", "event_types": ["idea.published"]},
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        endpoint = Endpoint.objects.get(description="CRM")
    assert response["Location"] == f"{BASE}{endpoint.pk}/"
    shown = client.get(response["Location"])
    assert endpoint.secret.encode() in shown.content
    assert shown["Cache-Control"].startswith("max-age=0")
    again = client.get(response["Location"])
    assert endpoint.secret.encode() not in again.content
    assert endpoint.secret_hint.encode() in again.content

    rotated = client.post(f"{BASE}{endpoint.pk}/rotate/", follow=True)
    with tenant_context(tenant_a):
        endpoint.refresh_from_db()
    assert endpoint.secret.encode() in rotated.content
    assert endpoint.secret.encode() not in client.get(f"{BASE}{endpoint.pk}/").content


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"url": "http://example.org/h", "event_types": ["idea.published"]}, "url", "https://"),
        ({"url": "https://10.0.0.1/h", "event_types": ["idea.published"]}, "url", "private"),
        ({"url": "https://169.254.169.254/", "event_types": ["idea.published"]}, "url", "private"),
        ({"url": "https://[::1]/h", "event_types": ["idea.published"]}, "url", "private"),
        ({"url": "https://localhost/h", "event_types": ["idea.published"]}, "url", "private"),
        ({"url": "https://8.8.8.8/" + "x" * 600, "event_types": ["idea.published"]}, "url", "500"),
        ({"url": "https://8.8.8.8/", "event_types": ["user.deleted"]}, "event_types", "Choose"),
        ({"url": "https://8.8.8.8/", "event_types": ["ping"]}, "event_types", "Choose"),
        ({"url": "https://8.8.8.8/"}, "event_types", "at least one"),
    ],
)
def test_bad_input_is_explained_beside_its_field_and_nothing_is_saved(
    as_role: Callable[[str], Client], tenant_a: Tenant, data: dict, field: str, words: str
) -> None:
    client = as_role(User.Role.ADMIN)
    response = client.post(BASE + "new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert words in " ".join(form.errors[field])
    assert b"There is a problem" in response.content
    with tenant_context(tenant_a):
        assert not Endpoint.objects.exists()


def test_pause_resume_edit_test_redeliver_and_delete(
    as_role: Callable[[str], Client], tenant_a: Tenant
) -> None:
    client = as_role(User.Role.ADMIN)
    endpoint = _endpoint(tenant_a)
    page = f"{BASE}{endpoint.pk}/"
    assert client.post(page + "pause/").status_code == 302
    assert b"Paused" in client.get(page).content
    with tenant_context(tenant_a):
        assert not Endpoint.objects.get(pk=endpoint.pk).is_active
    refused = client.post(page + "test/", follow=True)
    assert b"Resume the endpoint" in refused.content
    client.post(page + "resume/")
    client.post(
        page + "edit/", {"url": "https://8.8.4.4/in", "event_types": ["idea.status_changed"]}
    )
    with tenant_context(tenant_a):
        endpoint.refresh_from_db()
    assert endpoint.is_active
    assert (endpoint.url, endpoint.event_types) == ("https://8.8.4.4/in", ["idea.status_changed"])
    assert client.post(page + "test/").status_code == 302
    redeliver = f"{page}deliveries/{endpoint.delivery_id}/redeliver/"  # type: ignore[attr-defined]
    assert client.post(redeliver).status_code == 302
    with tenant_context(tenant_a):
        statuses = sorted(Delivery.objects.values_list("event_type", "status"))
    assert statuses == [("ping", "pending"), ("ping", "pending")]
    assert b"Delete this endpoint?" in client.get(page + "delete/").content
    assert client.post(page + "delete/")["Location"] == BASE
    with tenant_context(tenant_a):
        assert not Endpoint.objects.exists()
        assert not Delivery.objects.exists()


def test_another_tenants_endpoint_is_not_found(
    as_role: Callable[[str], Client], tenant_b: Tenant
) -> None:
    endpoint = _endpoint(tenant_b)
    client = as_role(User.Role.ADMIN)  # an admin of tenant A
    assert client.get(f"{BASE}{endpoint.pk}/").status_code == 404
    assert client.post(f"{BASE}{endpoint.pk}/delete/").status_code == 404


def test_a_plan_without_the_api_gets_the_upgrade_message(
    client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        admin = UserFactory.create(role=User.Role.ADMIN)
    client = client_as(tenant_a, admin)
    original = tenant_a.plan
    Tenant.objects.filter(pk=tenant_a.pk).update(plan=TRIAL.key)
    try:
        listing = client.get(BASE)
        assert b"not included in the" in listing.content
        assert b"See plans and upgrade" in listing.content
        assert b"Add an endpoint" not in listing.content
        refused = client.post(
            BASE + "new/", {"url": "https://8.8.8.8/", "event_types": ["idea.published"]}
        )
        assert b"See plans and upgrade" in refused.content
        with tenant_context(tenant_a):
            assert not Endpoint.objects.exists()
    finally:
        Tenant.objects.filter(pk=tenant_a.pk).update(plan=original)
        connection.set_schema_to_public()  # type: ignore[attr-defined]
