"""Printable join-code cards: every card carries the join address and a QR code of exactly
that address, made on the server, under the site's strict CSP."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
import segno
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import InviteCode, User
from accounts.services import invite_code_create
from tenants.models import Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _staff(tenant: Tenant, role: str) -> User:
    with tenant_context(tenant):
        return UserFactory.create(username=f"C{uuid.uuid4().hex[:10]}", role=role)


def _code(tenant: Tenant, **overrides: object) -> InviteCode:
    with tenant_context(tenant):
        code = invite_code_create(
            by=_staff(tenant, User.Role.ADMIN), label="Tuesday club", valid_hours=4, max_uses=20
        )
        if overrides:
            InviteCode.objects.filter(pk=code.pk).update(**overrides)
            code.refresh_from_db()
        return code


def _expected_url(tenant: Tenant, code: InviteCode) -> str:
    scheme = "https" if settings.HTTPS else "http"
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{scheme}://{tenant.slug}.{settings.ROOT_DOMAIN}{port}/join/?code={code.code}"


def _qr_path(url: str) -> str:
    """The modules of segno's QR code for `url`, as its SVG path data."""
    svg = segno.make(url, error="m").svg_inline(scale=1, border=4, omitsize=True)
    found = re.search(r' d="([^"]+)"', svg)
    assert found is not None
    return found.group(1)


def test_each_card_has_the_join_address_and_a_qr_code_of_exactly_it(
    client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    code = _code(tenant_a)
    client = client_as(tenant_a, _staff(tenant_a, User.Role.MODERATOR))
    response = client.get(f"/manage/codes/{code.pk}/cards/")
    assert response.status_code == 200
    html = response.content.decode()
    url = _expected_url(tenant_a, code)
    cards = html.count('class="join-card"')
    assert cards == 8
    assert html.count(f'<p class="join-card__url">{url.replace("&", "&amp;")}</p>') == cards
    assert html.count(f'<p class="join-card__code">{code.code}</p>') == cards
    assert html.count("Join the conversation") == cards
    assert html.count(f'd="{_qr_path(url)}"') == cards
    # A code for another address would draw other modules: the check above can fail.
    assert _qr_path(url) != _qr_path(url.replace(code.code, "AAAA-BBBB"))
    assert html.count(f'role="img" aria-label="QR code that opens {url}"') == cards
    assert "style=" not in html
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert 'href="/static/backoffice/code-cards' in html


def test_more_sheets_make_more_cards(client_as: Callable[..., Client], tenant_a: Tenant) -> None:
    code = _code(tenant_a)
    client = client_as(tenant_a, _staff(tenant_a, User.Role.ADMIN))
    html = client.get(f"/manage/codes/{code.pk}/cards/?sheets=3").content.decode()
    assert html.count('class="join-card"') == 24
    assert html.count('class="card-sheet"') == 3
    capped = client.get(f"/manage/codes/{code.pk}/cards/?sheets=9999").content.decode()
    assert capped.count('class="card-sheet"') == 20


def test_only_codes_that_still_work_offer_cards(
    client_as: Callable[..., Client], tenant_a: Tenant
) -> None:
    working = _code(tenant_a)
    stopped = _code(tenant_a, revoked_at=timezone.now())
    expired = _code(tenant_a, valid_until=timezone.now())
    used_up = _code(tenant_a, uses=20)
    client = client_as(tenant_a, _staff(tenant_a, User.Role.ADMIN))
    listing = client.get("/manage/codes/").content.decode()
    assert f"/manage/codes/{working.pk}/cards/" in listing
    for code in (stopped, expired, used_up):
        assert f"/manage/codes/{code.pk}/cards/" not in listing
        response = client.get(f"/manage/codes/{code.pk}/cards/")
        assert response.status_code == 302
        assert "no longer works" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("", 403), (User.Role.ANALYST, 403), (User.Role.YOUTH_WORKER, 200), (User.Role.ADMIN, 200)],
)
def test_cards_are_for_staff_who_issue_codes(
    client_as: Callable[..., Client], tenant_a: Tenant, role: str, status: int
) -> None:
    code = _code(tenant_a)
    client = client_as(tenant_a, _staff(tenant_a, role))
    assert client.get(f"/manage/codes/{code.pk}/cards/").status_code == status


def test_another_tenant_cannot_print_a_tenants_code(
    client_as: Callable[..., Client], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    code = _code(tenant_a)
    other = client_as(tenant_b, _staff(tenant_b, User.Role.ADMIN))
    response = other.get(f"/manage/codes/{code.pk}/cards/", follow=True)
    assert code.code not in response.content.decode()
    assert code.code not in other.get("/manage/codes/").content.decode()
