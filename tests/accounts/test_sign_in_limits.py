"""Password guessing is slowed at the guesser's address; it never locks the real owner out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

TOO_MANY = "Too many failed login attempts"


def _sign_in(client: Client, username: str, password: str) -> tuple[bool, str]:
    response = client.post("/accounts/login/", {"login": username, "password": password})
    return response.status_code == 302, response.content.decode()


def test_a_stranger_guessing_the_admins_password_does_not_lock_the_admin_out(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        UserFactory.create(username="admin", role=User.Role.ADMIN)
    guesser = client_for(tenant_a, REMOTE_ADDR="203.0.113.66")
    for attempt in range(6):
        assert _sign_in(guesser, "admin", f"guess-{attempt}")[0] is False

    admin = client_for(tenant_a, REMOTE_ADDR="198.51.100.20")
    assert _sign_in(admin, "admin", PASSWORD)[0] is True

    # The guesser stays slowed down: even the right password is refused from there for now.
    signed_in, page = _sign_in(guesser, "admin", PASSWORD)
    assert signed_in is False
    assert TOO_MANY in page


def test_many_wrong_guesses_from_one_address_are_refused_across_usernames(
    client_for: Callable[..., Client], tenant_a: Tenant
) -> None:
    with tenant_context(tenant_a):
        UserFactory.create(username="SprayTarget")
    sprayer = client_for(tenant_a, REMOTE_ADDR="203.0.113.77")
    for n in range(10):
        assert _sign_in(sprayer, f"someone{n}", "password123")[0] is False
    signed_in, page = _sign_in(sprayer, "SprayTarget", PASSWORD)
    assert signed_in is False
    assert TOO_MANY in page
    elsewhere = client_for(tenant_a, REMOTE_ADDR="198.51.100.21")
    assert _sign_in(elsewhere, "SprayTarget", PASSWORD)[0] is True
