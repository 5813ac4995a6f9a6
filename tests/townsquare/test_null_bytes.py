"""A NUL character in an address or a form is refused with a plain 400 page, before any view."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from dialogues.models import Idea
from tenants.models import DemoRequest, Signup, Tenant
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def _refused(response: object) -> None:
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    if response["Content-Type"] == "application/problem+json":  # type: ignore[index]
        # The API answers in its own error format, as for every other bad request.
        assert response.json()["code"] == "nul"  # type: ignore[attr-defined]
        return
    assert "This address or form contains a character we cannot accept" in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "/dialogues/alpha-parks/?q=a%00b",
        "/dialogues/alpha-parks/?tag=%00",
        "/dialogues/alpha-parks/?%00=x",
        "/api/v1/dialogues/a%00b/",
        "/api/v1/dialogues/?search=%00",
        "/dialogues/a%00b/",
    ],
)
def test_a_nul_in_a_tenant_address_is_a_bad_request(
    client_for: Callable[..., Client], tenant_a: Tenant, path: str
) -> None:
    _refused(client_for(tenant_a).get(path))


@pytest.mark.parametrize("path", ["/signup/check/?slug=a%00b", "/?q=%00", "/pricing/%00/"])
def test_a_nul_in_a_central_site_address_is_a_bad_request(
    client_for: Callable[..., Client], path: str
) -> None:
    _refused(client_for(None).get(path))


def test_a_nul_in_a_tenant_form_changes_nothing(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client = client_for(tenant_a)
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(username="NulPoster"))
        before = Idea.objects.count()
    for form in (
        {"title": "Night\x00buses", "body": "Later buses", "submission_key": str(uuid.uuid4())},
        {"title": "Night buses", "body": "Later buses", "submission_key": "\x00"},
    ):
        _refused(client.post("/dialogues/alpha-parks/ideas/new/", form))
    with tenant_context(tenant_a):
        assert Idea.objects.count() == before


def test_a_nul_in_a_central_site_form_changes_nothing(client_for: Callable[..., Client]) -> None:
    client = client_for(None)
    signups, demos = Signup.objects.count(), DemoRequest.objects.count()
    _refused(client.post("/signup/", {"organisation": "Wirral", "submit_key": "a\x00b"}))
    demo = {"name": "Sam\x00", "organisation": "Wirral Youth", "role": "Lead"}
    _refused(client.post("/demo/", {**demo, "email": "sam@wirral.example.org", "consent": "on"}))
    assert (Signup.objects.count(), DemoRequest.objects.count()) == (signups, demos)


def test_a_nul_in_a_cookie_is_a_bad_request(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    # A quoted cookie value may spell any byte as an octal escape.
    cookie = 'sessionid="abcdefgh\\000ijklmnop"'
    _refused(client_for(tenant_a, HTTP_COOKIE=cookie).get("/"))


def test_ordinary_addresses_and_forms_are_untouched(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    client = client_for(tenant_a)
    assert client.get("/dialogues/alpha-parks/?q=parks&tag=").status_code == 200
    assert client.get("/dialogues/alpha-parks/?q=%C3%A9t%C3%A9%2500").status_code == 200
    with tenant_context(tenant_a):
        client.force_login(UserFactory.create(username="PlainPoster"))
    form = {"title": "Later buses", "body": "Till 11", "submission_key": str(uuid.uuid4())}
    assert client.post("/dialogues/alpha-parks/ideas/new/", form).status_code == 302
    with tenant_context(tenant_a):
        assert Idea.objects.filter(title="Later buses").exists()
